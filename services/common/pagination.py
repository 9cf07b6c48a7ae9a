"""Opaque page tokens (AIP-158), bound to the tenant and the query they were issued for.

A token is the keyset position the next page resumes after, sealed with AES-GCM under a key
derived from PB_PAGE_TOKEN_SECRET alone (never the JWT key: under RS256 that one is public).
The caller can neither read nor forge a position. Inside the seal travel the tenant and a digest
of the query, so a token from one county's listing, or from the same listing with other filters,
is refused with INVALID_ARGUMENT; so is a sealed position of a shape the listing does not use
(a token from another version of the listing), instead of failing deeper down.

A listing opens a `Page` from its command: the page size, and the position decoded under a key
derived from the command's filter fields (so no listing writes its own query string). It fetches
`page.fetch` (`limit + 1`) rows after `page.after` and `page.cut(found, position)` for the page
and the next token.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import hashlib
import json
import os
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.common.errors import InvalidArgument

# Command fields that say which page, not which listing: never part of the key.
_NOT_FILTERS = frozenset({"tenant", "page_size", "page_token"})

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
_NONCE = 12
_MAX_TOKEN = 2048  # characters; a real token is about a hundred


def _invalid(zh: str, en: str) -> InvalidArgument:
    return InvalidArgument.field("page_token", zh, en, "INVALID_PAGE_TOKEN")


class PageTokens:
    def __init__(self, secret: str):
        self._aead = AESGCM(hashlib.sha256(("partybuilding page token v2:" + secret).encode()).digest())

    @staticmethod
    def _digest(query: str) -> str:
        return hashlib.sha256(query.encode()).hexdigest()[:16]

    def encode(self, position: list, query: str, *, tenant: str) -> str:
        """Token for the page after `position` of `query` in `tenant`'s listing."""
        body = json.dumps({"p": position, "t": tenant, "q": self._digest(query)}, separators=(",", ":"),
                          ensure_ascii=False).encode()
        nonce = os.urandom(_NONCE)
        return base64.urlsafe_b64encode(nonce + self._aead.encrypt(nonce, body, None)).decode().rstrip("=")

    def decode(self, token: str, query: str, *, tenant: str, shape: tuple[type, ...]) -> list | None:
        """The position a token resumes after (types as in `shape`); None for the first page."""
        if not token:
            return None
        try:
            if len(token) > _MAX_TOKEN:
                raise ValueError
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            data = json.loads(self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], None))
        except (ValueError, InvalidTag, UnicodeDecodeError):
            raise _invalid("分页令牌无效或被篡改", "is not a page token this server issued") from None
        if not isinstance(data, dict) or data.get("t") != tenant:
            raise _invalid("分页令牌不属于本县的列表", "was issued for another tenant's listing")
        if data.get("q") != self._digest(query):
            raise _invalid("分页令牌与本次查询条件不符", "was issued for a different query (filters changed)")
        position = data.get("p")
        if (not isinstance(position, list) or len(position) != len(shape)
                or any(type(value) is not kind for value, kind in zip(position, shape, strict=True))):
            raise _invalid("分页令牌已失效，请从第一页重新查询", "holds a position this listing does not use; "
                           "start again from the first page")
        return position


def page_size(requested: int) -> int:
    if requested < 0:
        raise InvalidArgument.field("page_size", "不能为负数", "must not be negative")
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def cut_page(found: list, limit: int, tokens: PageTokens, query: str, position, *, tenant: str) -> tuple[list, str]:
    """Split a `limit + 1` fetch into the page and the token for the next one ("" on the last page).

    `position(item)` is the keyset the next page resumes after, in the order the query sorts by.
    """
    if len(found) <= limit:
        return found, ""
    page = found[:limit]
    return page, tokens.encode(position(page[-1]), query, tenant=tenant)


def _canonical(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(str(_canonical(item)) for item in value)  # [A, B] and [B, A] list the same
    return value


def filter_key(cmd) -> str:
    """The listing a command asks for: its type and every filter field (a command dataclass)."""
    filters = {f.name: _canonical(getattr(cmd, f.name)) for f in dataclasses.fields(cmd) if f.name not in _NOT_FILTERS}
    return type(cmd).__name__ + json.dumps(filters, sort_keys=True, ensure_ascii=False, default=str)


@dataclasses.dataclass(frozen=True)
class Page:
    """One page of a keyset listing, opened from a command with `page_size` and `page_token`."""

    limit: int
    after: list | None
    query: str
    tenant: str
    tokens: PageTokens

    @classmethod
    def open(cls, cmd, tokens: PageTokens, *, shape: tuple[type, ...], tenant: str | None = None) -> Page:
        """`tenant` defaults to the command's; `shape` is the types of the position the listing sorts by."""
        tenant = cmd.tenant if tenant is None else tenant
        query = filter_key(cmd)
        limit = page_size(cmd.page_size)
        return cls(limit, tokens.decode(cmd.page_token, query, tenant=tenant, shape=shape), query, tenant, tokens)

    @property
    def fetch(self) -> int:
        """Rows to fetch: one more than the page tells whether another page follows."""
        return self.limit + 1

    def after_one(self):
        """The position's single value, for listings sorted by one key; None on the first page."""
        return self.after[0] if self.after else None

    def cut(self, found: list, position: Callable) -> tuple[list, str]:
        return cut_page(found, self.limit, self.tokens, self.query, position, tenant=self.tenant)
