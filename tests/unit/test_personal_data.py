"""Personal data: resident ID numbers (GB 11643) and mainland mobiles, validated and masked."""

from __future__ import annotations

import datetime as dt

import pytest

from services.common.identifiers import mask_phone
from services.organization.domain import personal_data as pd

# A published sample number and its check character.
SAMPLE = "11010519491231002X"


def test_check_digit_of_known_numbers():
    assert pd.id_card_check_digit(SAMPLE[:17]) == "X"
    assert pd.id_card_problem(SAMPLE) is None
    assert pd.id_card_problem("110105194912310021") is not None


@pytest.mark.parametrize("number,why", [
    ("11010519491231002", "18"),
    ("1101051949123100200", "18"),
    ("11010519491231002x", "18"),  # lower-case x is normalised before checking, not accepted raw
    ("11010519491331002X", "出生日期"),
    ("11010518991231002X", "出生日期"),
    ("110105194912310020", "校验位"),
])
def test_bad_id_numbers_say_why(number, why):
    problem = pd.id_card_problem(number)
    assert problem is not None and why in problem[0]
    assert problem[1]  # English for integrators


def test_normalise_birth_date_and_gender():
    assert pd.normalize_id_card(" 11010519491231002x ") == SAMPLE
    assert pd.birth_date_of(SAMPLE) == dt.date(1949, 12, 31)
    assert pd.gender_of(SAMPLE) == "FEMALE"  # 17th digit 2 is even
    assert pd.gender_of("110105194912310010") == "MALE"  # 17th digit 1 is odd


def test_future_birth_date_is_not_real():
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    first17 = "610222" + tomorrow.strftime("%Y%m%d") + "001"
    assert pd.id_card_problem(first17 + pd.id_card_check_digit(first17)) is not None


@pytest.mark.parametrize("phone,ok", [
    ("13812345678", True), ("19912345678", True), ("", True),
    ("12812345678", False), ("1381234567", False), ("138123456789", False), ("+8613812345678", False),
    ("1381234567a", False),
])
def test_mobile_numbers(phone, ok):
    assert (pd.phone_problem(phone) is None) is ok


def test_masking():
    assert pd.mask_id_card("610222198001011234") == "*" * 18
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""
    assert mask_phone("0919-1234") == "*********"  # not a mobile: nothing of it is shown
    assert pd.mask_id_card("1234") == "****"


def test_age_bands():
    day = dt.date(2026, 6, 1)
    assert pd.age_band(dt.date(1991, 6, 2), day) == "18-34"
    assert pd.age_band(dt.date(1991, 6, 1), day) == "35-44"
    assert pd.age_band(dt.date(1940, 1, 1), day) == "75+"
    assert pd.age_band(dt.date(2015, 1, 1), day) == ""


def test_age():
    born = dt.date(1990, 6, 15)
    assert pd.age_on(born, dt.date(2025, 6, 14)) == 34
    assert pd.age_on(born, dt.date(2025, 6, 15)) == 35
