"""Identifier normalisation: one spelling per ID number, phone, division or tenant code.

Chinese input methods type full-width digits (６１０２９７), some keyboards Arabic-Indic ones
(٦١٠٢٩٧), and pasted cells carry ideographic or no-break spaces. Each of these is the same
identifier as its ASCII spelling, so every identifier is normalised before it is validated and
before it is compared for uniqueness; otherwise one person is recorded three times and a correct
full-width ID number is told its check digit does not match.

Control and format characters (newline, NUL, zero-width, bidi overrides) are not spellings of
anything: they are kept by `normalize` so that `check` / `require` refuse them by name.
"""

from __future__ import annotations

import unicodedata

from services.common.errors import InvalidArgument, Validator
from services.common.spelling import normalize

_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})


def control_character(value: str) -> str | None:
    """The first control or format character in `value`, if any."""
    return next((ch for ch in value if unicodedata.category(ch) in _INVISIBLE), None)


def _violation(ch: str) -> tuple[str, str]:
    return f"含有不可见的控制字符 U+{ord(ch):04X}", f"contains the control character U+{ord(ch):04X}"


def check(v: Validator, value: str | None, field_path: str) -> str:
    """The normalised identifier; a control character is recorded against `field_path`."""
    text = normalize(value)
    bad = control_character(text)
    if bad is not None:
        v.add(field_path, *_violation(bad))
    return text


def require(value: str | None, field_path: str) -> str:
    """The normalised identifier, or INVALID_ARGUMENT naming the control character."""
    text = normalize(value)
    bad = control_character(text)
    if bad is not None:
        raise InvalidArgument.field(field_path, *_violation(bad), "CONTROL_CHARACTER")
    return text
