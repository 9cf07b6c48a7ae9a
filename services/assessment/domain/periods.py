"""Assessment periods, named as ARCHITECTURE.md names them: "2026", "2026H1", "2026Q2", "2026-05".

A round runs over one period of its scheme's period kind (考核周期: 年度, 半年, 季度, 月度). The
name is spelt as an identifier is (full-width digits typed by a Chinese input method are the
same period), and a lower-case "2026h1" is the same as "2026H1".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from services.assessment.domain.scheme import PeriodKind
from services.common import identifiers
from services.common.errors import InvalidArgument

# The years a county may name: wide enough for archives and plans, narrow enough to catch typos.
FIRST_YEAR = 2000
LAST_YEAR = 2100

_SHAPES: dict[PeriodKind, tuple[re.Pattern[str], str, str]] = {
    PeriodKind.YEAR: (re.compile(r"(?P<year>\d{4})"), "YYYY", "2026"),
    PeriodKind.HALF_YEAR: (re.compile(r"(?P<year>\d{4})H(?P<part>[12])"), "YYYYH1 或 YYYYH2", "2026H1"),
    PeriodKind.QUARTER: (re.compile(r"(?P<year>\d{4})Q(?P<part>[1-4])"), "YYYYQ1..YYYYQ4", "2026Q2"),
    PeriodKind.MONTH: (re.compile(r"(?P<year>\d{4})-(?P<part>0[1-9]|1[0-2])"), "YYYY-MM", "2026-05"),
}
# How many months one part of each kind spans.
_MONTHS = {PeriodKind.YEAR: 12, PeriodKind.HALF_YEAR: 6, PeriodKind.QUARTER: 3, PeriodKind.MONTH: 1}
_NAMES_ZH = {PeriodKind.YEAR: "年度", PeriodKind.HALF_YEAR: "半年", PeriodKind.QUARTER: "季度", PeriodKind.MONTH: "月度"}


@dataclass(frozen=True, order=True)
class Period:
    """One named period: its year and its part within the year (1 for a YEAR)."""

    kind: PeriodKind
    year: int
    part: int = 1

    def __str__(self) -> str:
        if self.kind is PeriodKind.YEAR:
            return f"{self.year}"
        if self.kind is PeriodKind.HALF_YEAR:
            return f"{self.year}H{self.part}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year}Q{self.part}"
        return f"{self.year}-{self.part:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, (self.part - 1) * _MONTHS[self.kind] + 1, 1)

    @property
    def last_day(self) -> dt.date:
        """The last calendar day the period covers (inclusive)."""
        return self.next().first_day - dt.timedelta(days=1)

    def contains(self, day: dt.date) -> bool:
        return self.first_day <= day <= self.last_day

    def previous(self) -> Period:
        """The period just before, of the same kind: 2026H1 -> 2025H2, 2026-01 -> 2025-12."""
        if self.part > 1:
            return Period(self.kind, self.year, self.part - 1)
        return Period(self.kind, self.year - 1, 12 // _MONTHS[self.kind])

    def next(self) -> Period:
        if self.part < 12 // _MONTHS[self.kind]:
            return Period(self.kind, self.year, self.part + 1)
        return Period(self.kind, self.year + 1, 1)


def parse_period(text: str, kind: PeriodKind, field_path: str = "period") -> Period:
    """The period `text` names, which must be of `kind`; INVALID_ARGUMENT naming the shape otherwise."""
    spelt = identifiers.require(text, field_path).upper()
    pattern, shape, example = _SHAPES[kind]
    match = pattern.fullmatch(spelt)
    if match is None:
        raise InvalidArgument.field(
            field_path,
            f"考核周期为{_NAMES_ZH[kind]}，格式应为 {shape}（如 {example}），收到 {text!r}",
            f"the scheme's period kind is {kind.value}: expected {shape.replace(' 或 ', ' or ')} "
            f"(e.g. {example}), got {text!r}",
            "PERIOD_MISMATCH",
        )
    year = int(match["year"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidArgument.field(
            field_path,
            f"年份应在 {FIRST_YEAR} 至 {LAST_YEAR} 之间，收到 {year}",
            f"the year must be between {FIRST_YEAR} and {LAST_YEAR}, got {year}",
            "PERIOD_OUT_OF_RANGE",
        )
    part = int(match.groupdict().get("part") or 1)
    return Period(kind, year, part)


def period_of(day: dt.date, kind: PeriodKind) -> Period:
    """The period of `kind` that holds `day`."""
    return Period(kind, day.year, (day.month - 1) // _MONTHS[kind] + 1)
