"""Page tokens: opaque, signed, bound to their query."""

from __future__ import annotations

import base64

import pytest

from services.common.errors import InvalidArgument
from services.common.pagination import MAX_PAGE_SIZE, PageTokens, page_size


def test_round_trip():
    tokens = PageTokens("s")
    tok = tokens.encode(["/a/b/", "u-1"], "q=1")
    assert tokens.decode(tok, "q=1") == ["/a/b/", "u-1"]
    assert tokens.decode("", "q=1") is None


def invalid(tokens, tok, query="q=1") -> InvalidArgument:
    with pytest.raises(InvalidArgument) as info:
        tokens.decode(tok, query)
    assert info.value.reason == "INVALID_PAGE_TOKEN" and info.value.violations[0].field == "page_token"
    return info.value


def test_tampering_is_detected():
    tokens = PageTokens("s")
    tok = tokens.encode(["u-1"], "q=1")
    raw = base64.urlsafe_b64decode(tok + "=" * (-len(tok) % 4))
    forged_body = raw[:12] + raw[12:].replace(b"u-1", b"u-9")
    invalid(tokens, base64.urlsafe_b64encode(forged_body).decode().rstrip("="))
    invalid(tokens, tok[:-1])
    invalid(tokens, "!!!")
    invalid(PageTokens("another-secret"), tok)
    unsigned = base64.urlsafe_b64encode(b"\0" * 12 + b'{"p":["u-1"],"q":"q=1"}').decode()
    invalid(tokens, unsigned)


def test_token_is_bound_to_its_query():
    tokens = PageTokens("s")
    err = invalid(tokens, tokens.encode(["u-1"], "q=1"), "q=2")
    assert "different query" in err.en


def test_page_size():
    assert page_size(0) == 50
    assert page_size(10) == 10
    assert page_size(10**6) == MAX_PAGE_SIZE
    with pytest.raises(InvalidArgument):
        page_size(-1)
