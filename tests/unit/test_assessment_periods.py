"""Period names per period kind: spelling, date range, previous period."""

import datetime as dt

import pytest

from services.assessment.domain.periods import Period, parse_period, period_of
from services.assessment.domain.scheme import PeriodKind
from services.common.errors import InvalidArgument


@pytest.mark.parametrize("text, kind, first, last", [
    ("2026", PeriodKind.YEAR, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ("2026H1", PeriodKind.HALF_YEAR, dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    ("2026H2", PeriodKind.HALF_YEAR, dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
    ("2026Q2", PeriodKind.QUARTER, dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
    ("2024-02", PeriodKind.MONTH, dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    ("2026-12", PeriodKind.MONTH, dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
])
def test_a_period_names_its_days(text, kind, first, last):
    period = parse_period(text, kind)
    assert (str(period), period.first_day, period.last_day) == (text, first, last)


def test_full_width_digits_and_lower_case_name_the_same_period():
    assert parse_period("２０２６ｈ１", PeriodKind.HALF_YEAR) == parse_period("2026H1", PeriodKind.HALF_YEAR)
    assert str(parse_period("２０２６－０５", PeriodKind.MONTH)) == "2026-05"


@pytest.mark.parametrize("text, kind", [
    ("2026H1", PeriodKind.YEAR), ("2026", PeriodKind.HALF_YEAR), ("2026Q5", PeriodKind.QUARTER),
    ("2026-13", PeriodKind.MONTH), ("2026-5", PeriodKind.MONTH), ("2026H1\n", PeriodKind.HALF_YEAR), ("", PeriodKind.YEAR),
])
def test_a_name_of_another_kind_is_refused_naming_the_shape(text, kind):
    with pytest.raises(InvalidArgument) as caught:
        parse_period(text, kind, "round.period")
    assert caught.value.violations[0].field == "round.period"


def test_the_message_names_the_expected_shape():
    with pytest.raises(InvalidArgument) as caught:
        parse_period("2026Q2", PeriodKind.HALF_YEAR)
    assert "YYYYH1" in caught.value.en and "半年" in caught.value.zh


def test_a_year_far_away_is_a_typo():
    with pytest.raises(InvalidArgument, match="between"):
        parse_period("1026", PeriodKind.YEAR)


@pytest.mark.parametrize("text, kind, previous", [
    ("2026", PeriodKind.YEAR, "2025"), ("2026H1", PeriodKind.HALF_YEAR, "2025H2"),
    ("2026H2", PeriodKind.HALF_YEAR, "2026H1"), ("2026Q1", PeriodKind.QUARTER, "2025Q4"),
    ("2026-01", PeriodKind.MONTH, "2025-12"), ("2026-07", PeriodKind.MONTH, "2026-06"),
])
def test_the_previous_period_is_of_the_same_kind(text, kind, previous):
    period = parse_period(text, kind)
    assert str(period.previous()) == previous
    assert period.previous().next() == period


def test_the_period_of_a_day():
    assert str(period_of(dt.date(2026, 8, 15), PeriodKind.QUARTER)) == "2026Q3"
    assert period_of(dt.date(2026, 8, 15), PeriodKind.HALF_YEAR) == Period(PeriodKind.HALF_YEAR, 2026, 2)
    assert parse_period("2026Q3", PeriodKind.QUARTER).contains(dt.date(2026, 9, 30))
