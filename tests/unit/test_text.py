"""The one free-text rule: what a name or reason may contain, and the form it is stored in."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidArgument, Validator, valid_text
from services.common.text import text_problem

REFUSED = {
    "NUL": "村\x00名", "BEL": "村\x07名", "ESC": "\x1b[31m村", "DEL": "村\x7f", "C1 NEL": "村\x85名",
    "newline": "一村\n二村", "trailing newline": "610297\n", "tab": "村\t名", "line separator": "村\u2028名",
    "RLO": "txt.\u202eexe", "LRI": "\u2066村\u2069", "LRM": "村\u200e", "ALM": "村\u061c",
    "zero width space": "张\u200b三", "ZWJ": "张\u200d三", "word joiner": "张\u2060三", "BOM": "\ufeff张三",
    "soft hyphen": "张\u00ad三", "Hangul filler": "\u3164", "half-width Hangul filler": "张\uffa0",
    "braille blank": "\u2800", "unassigned": "村\U000e0080",
    "VS16": "村\ufe0f", "VS1": "\ufe00村", "private use": "村\ue000名", "plane 15 private use": "村\U000f0000",
    "object replacement": "\ufffc", "replacement character": "村\ufffd", "IVS after a letter": "a\U000e0100",
    "IVS first": "\U000e0100村", "IVS after an IVS": "村\U000e0100\U000e0101",
    "only spaces": "\u3000 \u00a0", "only combining marks": "\u0301\u0302",
}


@pytest.mark.parametrize("value", REFUSED.values(), ids=REFUSED.keys())
def test_hidden_or_invisible_text_is_refused(value):
    with pytest.raises(InvalidArgument) as info:
        valid_text(value, "unit.display_name", max_len=60)
    assert info.value.violations[0].field == "unit.display_name"
    assert info.value.violations[0].zh and info.value.violations[0].en


def test_ideographic_variation_sequence_after_a_cjk_ideograph_is_a_name():
    assert valid_text("邉\U000e0101", "x", max_len=5) == "邉\U000e0101"
    assert valid_text("张\U00020000\U000e0100", "x", max_len=5) == "张\U00020000\U000e0100"


def test_text_is_stored_nfc_and_stripped():
    decomposed = "Cafe\u0301 第一村"
    assert valid_text(f"  {decomposed}\u3000", "x", max_len=20) == "Café 第一村"
    assert valid_text("张三（女）", "x", max_len=20) == "张三（女）"


def test_newline_only_where_the_field_is_multi_line():
    assert valid_text("第一行\r\n第二行", "reason", max_len=20, multi_line=True) == "第一行\n第二行"
    assert text_problem("第一行\n第二行", max_len=20) is not None
    assert text_problem("\u3000\n\u0301", max_len=20, multi_line=True) is not None


def test_length_counts_characters_after_normalising():
    assert text_problem("村" * 60, max_len=60) is None
    problem = text_problem("村" * 61, max_len=60)
    assert problem and "60" in problem[1]
    assert text_problem("x" * 200_000, max_len=200) is not None


def test_required_and_optional():
    v = Validator()
    assert v.text("", "a", max_len=5) == ""
    assert v.text("  ", "b", max_len=5, required=False) == ""
    assert [x.field for x in v.violations] == ["a"]
