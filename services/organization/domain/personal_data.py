"""Personal data (个人信息): resident ID numbers and mobile phones, validated and masked."""

from __future__ import annotations

import datetime as dt
import re

from services.common import identifiers

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# ASCII only and matched whole (fullmatch): `\d` would take any script's digits and `$` a
# trailing newline; identifiers are normalised first (see services.common.identifiers).
_ID = re.compile(r"[0-9]{17}[0-9X]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def id_card_check_digit(first17: str) -> str:
    """GB 11643-1999 check character for the first 17 digits."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_card_problem(number: str) -> tuple[str, str] | None:
    """Why an ID number is not valid, as (zh, en); None when it is."""
    if not _ID.fullmatch(number):
        return "身份证号应为18位（末位可为X）", "must be 18 characters: 17 digits and a digit or X"
    if birth_date_of(number) is None:
        if number[6:14] > dt.date.today().strftime("%Y%m%d"):
            return "身份证号中的出生日期晚于今天", "the birth date inside the ID number is in the future"
        return "身份证号中的出生日期无效", "the birth date inside the ID number is not a real date"
    if id_card_check_digit(number[:17]) != number[17]:
        return "身份证号校验位错误", "the check digit does not match (mistyped number?)"
    return None


def normalize_id_card(number: str) -> str:
    """Full-width, Arabic-Indic or spaced digits and a lower-case x spell the same number."""
    return identifiers.normalize(number).upper()


def normalize_phone(phone: str) -> str:
    return identifiers.normalize(phone)


def birth_date_of(number: str) -> dt.date | None:
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    return born if dt.date(1900, 1, 1) <= born <= dt.date.today() else None


def gender_of(number: str) -> str:
    """The 17th digit is odd for men, even for women."""
    return "MALE" if int(number[16]) % 2 else "FEMALE"


def phone_problem(phone: str) -> tuple[str, str] | None:
    if phone and not _MOBILE.fullmatch(phone):
        return "手机号应为11位中国大陆手机号", "must be an 11-digit mainland mobile number starting with 1[3-9]"
    return None


def mask_id_card(number: str) -> str:
    """Every character hidden. The last four would give away the sequence and check digit,
    leaving only the birth date unknown: a few thousand candidates (docs/design.md)."""
    return conceal(number)


def conceal(value: str) -> str:
    """Every character hidden: an ID number wherever it is masked, a phone in an event."""
    return "*" * len(value)


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# Lower bounds of the age bands a masked view shows. Ten years leave about 3,650 birth dates,
# ~1.8 million ID numbers with the county code and gender; 35 is the specialist age limit.
AGE_BANDS = (18, 35, 45, 55, 65, 75)


def age_band(born: dt.date, day: dt.date) -> str:
    """"35-44"; "75+" for the last band; "" under the first (no member is)."""
    age = age_on(born, day)
    lows = [lo for lo in AGE_BANDS if lo <= age]
    if not lows:
        return ""
    i = AGE_BANDS.index(lows[-1])
    return f"{AGE_BANDS[i]}+" if i == len(AGE_BANDS) - 1 else f"{AGE_BANDS[i]}-{AGE_BANDS[i + 1] - 1}"
