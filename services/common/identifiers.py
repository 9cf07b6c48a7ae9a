"""Identifier normalisation: one spelling per ID number, phone, division or tenant code.

Chinese input methods type full-width digits (６１０２９７), some keyboards Arabic-Indic ones
(٦١٠٢٩٧), and pasted cells carry ideographic or no-break spaces. Each of these is the same
identifier as its ASCII spelling, so every identifier is normalised before it is validated and
before it is compared for uniqueness; otherwise one person is recorded three times and a correct
full-width ID number is told its check digit does not match.

Why NFKC, and so full-width *letters* too, not only digits (decided, with tests in
tests/unit/test_identifiers.py): an input method in full-width mode (全角) types every Latin
letter and the hyphen full-width as well, and identifiers hold letters: the check letter of an
ID number (１１０１…１２３Ｘ), rule codes (ＭＥＥＴＩＮＧ＿ＡＢＳＥＮＴ), member and unit ids
(ｍ－０１…). Narrowing the fold to digits would tell a correct full-width ID number that its
check letter is wrong. Folding cannot merge two different identifiers: NFKC leaves every ASCII
character as it is, and the identifiers the platform stores are ASCII (generated, or normalised
before they were first validated), so a folded spelling only ever meets its own ASCII form. The
other compatibility characters NFKC maps (①, ², Ⅻ, ½) become text that must still pass the
identifier's own check (pattern, checksum, existence) like any typed value; nothing is
accepted because it was folded, only recognised. Case is not folded (NFKC keeps it). Resource
names fold the same way (tenancy.parse_name: the county code and the id), so a name typed in
全角 mode finds what its ASCII spelling names, in every service.

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


def mask_phone(phone: str) -> str:
    """A mobile number as it may be shown: 138****5678. Anything else is hidden whole (a stored
    phone is always an 11-digit mobile; this never shows more of one that is not)."""
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else "*" * len(phone)
