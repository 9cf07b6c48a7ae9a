"""Opaque, signed page tokens (AIP-158): a tampered or foreign token is INVALID_ARGUMENT."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from services.common.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


class PageTokens:
    def __init__(self, secret: str):
        self._key = hashlib.sha256(("page-token:" + secret).encode()).digest()

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self._key, body, hashlib.sha256).digest()[:12]

    def encode(self, position: list, query: str) -> str:
        """Token for the page after `position`, bound to the query it was issued for."""
        body = json.dumps({"p": position, "q": query}, separators=(",", ":"), ensure_ascii=False).encode()
        return base64.urlsafe_b64encode(self._mac(body) + body).decode().rstrip("=")

    def decode(self, token: str, query: str) -> list | None:
        """The position a token resumes after; None for the first page."""
        if not token:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            mac, body = raw[:12], raw[12:]
            ok = hmac.compare_digest(mac, self._mac(body))
            data = json.loads(body) if ok else None
        except (ValueError, UnicodeDecodeError):
            data = None
        if data is None:
            raise InvalidArgument.field("page_token", "分页令牌无效或被篡改", "is not a page token this server issued", "INVALID_PAGE_TOKEN")
        if data.get("q") != query:
            raise InvalidArgument.field(
                "page_token", "分页令牌与本次查询条件不符", "was issued for a different query (filters changed)", "INVALID_PAGE_TOKEN"
            )
        return data["p"]


def page_size(requested: int) -> int:
    if requested < 0:
        raise InvalidArgument.field("page_size", "不能为负数", "must not be negative")
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def cut_page(found: list, limit: int, tokens: PageTokens, query: str, position) -> tuple[list, str]:
    """Split a `limit + 1` fetch into the page and the token for the next one ("" on the last page).

    `position(item)` is the keyset the next page resumes after, in the order the query sorts by.
    """
    if len(found) <= limit:
        return found, ""
    page = found[:limit]
    return page, tokens.encode(position(page[-1]), query)
