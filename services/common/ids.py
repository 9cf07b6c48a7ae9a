"""Identifiers: short, URL-safe, roughly time-ordered so keyset pages follow creation order."""

from __future__ import annotations

import os
import time
import uuid

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


def _b32(value: int, width: int) -> str:
    out = []
    for _ in range(width):
        out.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(out))


def new_id(prefix: str) -> str:
    """`<prefix>-` + 10 chars of milliseconds + 6 random chars, e.g. u-01jd3k9x2mab3c4d."""
    ms = time.time_ns() // 1_000_000
    rnd = int.from_bytes(os.urandom(4), "big")
    return f"{prefix}-{_b32(ms, 10)}{_b32(rnd, 6)}"


def new_event_id() -> str:
    return str(uuid.uuid4())
