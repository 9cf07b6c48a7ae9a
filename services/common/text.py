"""One rule for free text that people type and others read: names, reasons, organ names.

Text is stored NFC-normalised, so that the same name typed on two keyboards is one name. It may
not hide anything from the reader who sees it later on a screen, a printout or a spreadsheet:
control characters (NUL never reaches the database; BEL, ESC and friends end up in exports),
bidi overrides and isolates that reorder what is shown (U+202E makes "exe.txt" of "txt.exe"),
zero-width and other invisible characters that make two equal-looking names differ, and text
with nothing visible at all. A newline is allowed only where the field says it is multi-line.
Private-use characters (category Co: a glyph only one font draws), the object replacement
character U+FFFC and the replacement character U+FFFD (what a broken paste leaves) and the
variation selectors VS1-VS16 (U+FE00-FE0F) are refused too. Ideographic variation selectors
(U+E0100-E01EF) pick the registered glyph of a rare character in a Chinese name, so they are
allowed right after a CJK ideograph and refused anywhere else.

Every service calls `Validator.text` (services/common/errors.py), which calls `text_problem`.
"""

from __future__ import annotations

import unicodedata

# Reasons given for a move, archive, merge, transfer or end of post: a sentence or two.
REASON_MAX = 200

# Letters and symbols that render as nothing (unicodedata calls them Lo/So/Mn, not format
# characters): Hangul fillers, the braille blank, the combining grapheme joiner, the Khmer
# inherent vowels.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5")

# Whitespace a reader sees as space: it does not make text visible, but may separate words.
_SPACE = frozenset(" \u3000\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f")


# Characters that stand for something else: "a glyph was here" and "this could not be decoded".
_STAND_INS = frozenset("\ufffc\ufffd")


def _is_ideograph(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH"))


def _is_ideographic_variation_selector(ch: str) -> bool:
    return "\U000e0100" <= ch <= "\U000e01ef"


def normalize(value: str | None) -> str:
    """NFC, CRLF as LF, surrounding whitespace removed: the form text is stored in."""
    return unicodedata.normalize("NFC", (value or "").replace("\r\n", "\n")).strip()


def _refused(ch: str, multi_line: bool) -> tuple[str, str] | None:
    """Why one character may not appear, in zh-CN and English, or None."""
    code = f"U+{ord(ch):04X}"
    if ch == "\n":
        return None if multi_line else ("不能包含换行", "must be a single line (no line breaks)")
    category = unicodedata.category(ch)
    if category == "Cc" or ch in "\u2028\u2029":
        return f"不能包含控制字符 {code}", f"must not contain control characters ({code})"
    if ch in _INVISIBLE or category == "Cf":
        # Cf holds the bidi controls (U+200E/F, U+202A-202E, U+2066-2069, U+061C), the
        # zero-width characters (U+200B-200D, U+2060, U+FEFF) and the soft hyphen U+00AD.
        return f"不能包含不可见字符或文字方向控制符 {code}", f"must not contain invisible or bidi control characters ({code})"
    if category in ("Cn", "Cs"):
        return f"包含无效字符 {code}", f"contains an unassigned or invalid character ({code})"
    if category == "Co" or ch in _STAND_INS or "\ufe00" <= ch <= "\ufe0f":
        return f"不能包含私用区字符、替换字符或异体字选择符 {code}", \
            f"must not contain private-use, replacement or variation selector characters ({code})"
    return None


def _misplaced_variation_selector(raw: str) -> tuple[str, str] | None:
    """An ideographic variation selector anywhere but right after a CJK ideograph, or None."""
    if not raw or max(raw) < "\U000e0100":  # none in the text: the usual case, at C speed
        return None
    for i, ch in enumerate(raw):
        if _is_ideographic_variation_selector(ch) and not (i and _is_ideograph(raw[i - 1])):
            code = f"U+{ord(ch):04X}"
            return f"汉字异体字选择符 {code} 只能紧跟在汉字之后", \
                f"the ideographic variation selector {code} may only follow a CJK ideograph"
    return None


def text_problem(value: str, *, max_len: int, multi_line: bool = False) -> tuple[str, str] | None:
    """Why `value` (as typed) is not acceptable free text, or None; an empty value is no problem here.

    Characters are checked before stripping, so a trailing newline or NUL is refused, not trimmed.
    """
    raw = (value or "").replace("\r\n", "\n") if multi_line else (value or "")
    if len(raw) > 4 * max_len + 64:  # far too long to be worth normalising
        return f"不能超过{max_len}个字符", f"must be at most {max_len} characters"
    for ch in dict.fromkeys(raw):
        refused = _refused(ch, multi_line)
        if refused:
            return refused
    misplaced = _misplaced_variation_selector(raw)
    if misplaced:
        return misplaced
    text = normalize(raw)
    if len(text) > max_len:
        return f"不能超过{max_len}个字符（现为{len(text)}个）", f"must be at most {max_len} characters (got {len(text)})"
    if text and all(ch in _SPACE or ch == "\n" or unicodedata.category(ch) in ("Mn", "Me") for ch in text):
        return "没有可见的文字", "must contain visible characters"
    return None
