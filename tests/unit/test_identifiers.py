"""Identifier normalisation: full-width, Arabic-Indic and spaced spellings are one identifier."""

from __future__ import annotations

import pytest

from services.common import identifiers
from services.common.errors import InvalidArgument, Validator
from services.common.tenancy import Collection, SubCollection, is_county_code, parse_name, tenant_of
from services.organization.domain import personal_data as pd
from tests.helpers import id_card

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize("spelling", [
    "６１０２９７", "٦١٠٢٩٧", "۶۱۰۲۹۷", " 610297 ", "610\u3000297", "610\u00a0297", "６１０ ２９７",
])
def test_every_spelling_of_a_code_is_the_ascii_one(spelling):
    assert identifiers.normalize(spelling) == "610297"


def test_a_full_width_id_number_is_valid_and_the_same_number():
    number = id_card()
    for spelling in (number.translate(FULL_WIDTH), number.translate(ARABIC_INDIC), number.lower(),
                     f"{number[:6]} {number[6:14]} {number[14:]}"):
        assert pd.normalize_id_card(spelling) == number
        assert pd.id_card_problem(pd.normalize_id_card(spelling)) is None


def test_unnormalised_digits_never_pass_as_an_id_number():
    number = id_card()
    assert pd.id_card_problem(number.translate(ARABIC_INDIC)) is not None
    assert pd.id_card_problem(number + "\n") is not None


@pytest.mark.parametrize("bad", ["610297\n", "6102\x0097", "610\u200b297", "\u202e610297"])
def test_control_characters_are_refused_by_name(bad):
    v = Validator()
    identifiers.check(v, bad, "tenant.code")
    assert [x.field for x in v.violations] == ["tenant.code"] and "U+" in v.violations[0].en
    with pytest.raises(InvalidArgument) as info:
        identifiers.require(bad, "tenant.code")
    assert info.value.reason == "CONTROL_CHARACTER"


def test_tenant_codes_and_names_match_whole():
    assert not is_county_code("610297\n") and not is_county_code("٦١٠٢٩٧")
    assert parse_name("tenants/６１０２９７/units/u1", "name", "units").tenant == "610297"
    assert tenant_of("tenants/６１０２９７/units/u1") == "610297"
    assert tenant_of("tenants/610297%2Funits%2Fu1") is None and tenant_of("tenants/610297\n/units/u1") is None
    with pytest.raises(InvalidArgument):
        parse_name("tenants/610297\n", "name", None)


def test_full_width_letters_fold_too_as_a_full_width_input_method_types_them():
    assert identifiers.normalize("ＭＥＥＴＩＮＧ＿ＡＢＳＥＮＴ") == "MEETING_ABSENT"
    assert identifiers.normalize("ｍ－０１ｍ８ｚｄ") == "m-01m8zd"
    number = next(n for n in (id_card(seq=s) for s in range(1000)) if n.endswith("X"))
    typed = number.translate(FULL_WIDTH)  # ends in Ｘ, U+FF38: a letter, not a digit
    assert typed.endswith("Ｘ") and pd.normalize_id_card(typed) == number
    assert pd.id_card_problem(pd.normalize_id_card(typed)) is None  # digits-only folding: "wrong check digit"


def test_folding_never_changes_an_ascii_identifier_so_two_identifiers_never_merge():
    printable = [chr(c) for c in range(0x21, 0x7F)]
    assert all(identifiers.normalize(ch) == ch for ch in printable)
    # Each full-width form is exactly its ASCII character, and nothing else folds onto one.
    assert [identifiers.normalize(chr(c)) for c in range(0xFF01, 0xFF5F)] == printable
    assert identifiers.normalize("mEeT") == "mEeT"  # case is the identifier's own business


@pytest.mark.parametrize("spelling, folded", [("①②", "12"), ("½", "1\u20442"), ("Ⅻ", "XII")])
def test_other_compatibility_forms_are_recognised_not_accepted(spelling, folded):
    # What they fold to still has to pass the identifier's own check: ½ is no division code.
    assert identifiers.normalize(spelling) == folded
    assert not is_county_code(identifiers.normalize("６１０２２½"))


def test_a_resource_name_typed_full_width_names_the_resource_its_ascii_spelling_names():
    wide = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
    parsed = parse_name("tenants/610297/members/" + "m-01m8ze4gr33rbts1".translate(wide), "member", "members")
    assert (parsed.tenant, parsed.id) == ("610297", "m-01m8ze4gr33rbts1")
    child = SubCollection(Collection("ruleSets"), "revisions").parse("tenants/610297/ruleSets/ｄｒａｆｔ－２/revisions/１２", "name")
    assert (child.parent_id, child.id) == ("draft-2", "12")
    assert parse_name("tenants/610297/members/m-1\u200b", "member", "members").id == "m-1\u200b"  # kept: refused by name later
