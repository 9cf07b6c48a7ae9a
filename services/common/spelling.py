"""One spelling of digits and spaces, for identifiers and dates alike (see identifiers.py).

Its own module, free of the error kernel, so that clock.parse_date can use it too: a date typed
with full-width digits (２０２４-０１-０１) is the same date as its ASCII spelling.
"""

from __future__ import annotations

import unicodedata


def _char(ch: str) -> str:
    if unicodedata.category(ch) == "Zs":  # every space separator, U+3000 and U+00A0 included
        return ""
    digit = unicodedata.decimal(ch, None)
    return str(digit) if digit is not None else ch


def normalize(value: str | None) -> str:
    """NFKC, spaces removed, every Unicode decimal digit as its ASCII digit."""
    text = value or ""
    if text.isascii() and " " not in text:
        return text
    return "".join(_char(ch) for ch in unicodedata.normalize("NFKC", text))
