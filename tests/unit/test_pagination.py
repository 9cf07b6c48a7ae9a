"""Page tokens: opaque, sealed with their own secret, bound to tenant, query and position shape."""

from __future__ import annotations

import base64
import json

import pytest

from services.common.errors import InvalidArgument
from services.common.pagination import MAX_PAGE_SIZE, PageTokens, page_size

SHAPE = (str, str)


def test_round_trip():
    tokens = PageTokens("s")
    tok = tokens.encode(["/a/b/", "u-1"], "q=1", tenant="610222")
    assert tokens.decode(tok, "q=1", tenant="610222", shape=SHAPE) == ["/a/b/", "u-1"]
    assert tokens.decode("", "q=1", tenant="610222", shape=SHAPE) is None


def invalid(tokens, tok, query="q=1", tenant="610222", shape=SHAPE) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as info:
        tokens.decode(tok, query, tenant=tenant, shape=shape)
    assert info.value.reason == "INVALID_PAGE_TOKEN" and info.value.violations[0].field == "page_token"
    return info.value


def _raw(tok: str) -> bytes:
    return base64.urlsafe_b64decode(tok + "=" * (-len(tok) % 4))


def test_tokens_are_opaque():
    tok = PageTokens("s").encode(["/a/b/", "u-secret-id"], "q=1", tenant="610222")
    assert b"u-secret-id" not in _raw(tok) and b"610222" not in _raw(tok)


def test_tampering_and_forgery_are_detected():
    tokens = PageTokens("s")
    tok = tokens.encode(["/a/", "u-1"], "q=1", tenant="610222")
    raw = bytearray(_raw(tok))
    raw[-1] ^= 1
    invalid(tokens, base64.urlsafe_b64encode(bytes(raw)).decode())
    invalid(tokens, tok[:-1])
    invalid(tokens, "!!!")
    invalid(tokens, "A" * 5000)
    invalid(PageTokens("another-secret"), tok)
    # The old format (readable JSON behind a MAC) is not accepted, however it was signed.
    readable = base64.urlsafe_b64encode(b"\0" * 12 + json.dumps({"p": ["/a/", "u-1"], "q": "q=1"}).encode()).decode()
    invalid(tokens, readable)


def test_token_is_bound_to_its_tenant_and_query():
    tokens = PageTokens("s")
    tok = tokens.encode(["/a/", "u-1"], "q=1", tenant="610222")
    assert "different query" in invalid(tokens, tok, query="q=2").en
    assert "another tenant" in invalid(tokens, tok, tenant="610223").en


@pytest.mark.parametrize("position", [["only-one"], ["/a/", 5], [["/a/"], "u-1"], {"p": 1}, "u-1", [True, "x"]])
def test_a_sealed_position_of_the_wrong_shape_is_invalid_argument(position):
    tokens = PageTokens("s")
    invalid(tokens, tokens.encode(position, "q=1", tenant="610222"))
    invalid(tokens, tokens.encode([True], "q=1", tenant="610222"), shape=(int,))


def test_page_size():
    assert page_size(0) == 50
    assert page_size(10) == 10
    assert page_size(10**6) == MAX_PAGE_SIZE
    with pytest.raises(InvalidArgument):
        page_size(-1)


def test_a_listing_page_is_keyed_by_its_commands_filters():
    from services.common.pagination import Page
    from services.organization.domain.model import UnitType
    from services.organization.service_layer import commands

    tokens = PageTokens("s")
    first = commands.ListUnits("610222", types=[UnitType.VILLAGE, UnitType.COMMUNITY], page_size=2)
    page = Page.open(first, tokens, shape=SHAPE)
    assert (page.limit, page.fetch, page.after) == (2, 3, None)
    _, token = page.cut(["a", "b", "c"], lambda item: ["/p/", item])
    # The next page: the same filters in another order, another page size.
    again = commands.ListUnits("610222", types=[UnitType.COMMUNITY, UnitType.VILLAGE], page_size=5, page_token=token)
    assert Page.open(again, tokens, shape=SHAPE).after == ["/p/", "b"]
    with pytest.raises(InvalidArgument, match="different query"):
        Page.open(commands.ListUnits("610222", types=[UnitType.VILLAGE], page_token=token), tokens, shape=SHAPE)
    # Two listings with the same filter fields are still two listings.
    _, token = Page.open(commands.ListAlliances("610222", "u-1", 1), tokens, shape=(str,)).cut(
        ["a1", "a2"], lambda item: [item])
    with pytest.raises(InvalidArgument, match="different query"):
        Page.open(commands.ListPairings("610222", "u-1", 1, token), tokens, shape=(str,))
