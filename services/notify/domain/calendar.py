"""The county's recurring dates (主题党日, 组织生活会, 民主评议党员): which one to announce now (pure).

An item's next date is its day of this month (monthly) or its month-day of this year (yearly),
the last day of a month that has no such day. It is announced from `lead_days` before the
date, at the schedule's send hour, until the date itself: a sweep that was down on the day it
should have gone still announces it, and one after the date announces nothing for it. The
source key `calendar/{item}/{date}` with each unit makes it once per unit and date.
"""

from __future__ import annotations

import calendar as months
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from services.notify.domain.reminder_settings import CALENDAR_DEFAULTS, MONTHLY

TITLES = {"party_day": "主题党日", "org_life": "组织生活会", "democratic_review": "民主评议党员"}


def event_type(key: str) -> str:
    return f"notify.calendar_{key}"


@dataclass(frozen=True)
class Occurrence:
    key: str  # party_day, org_life, democratic_review
    title: str
    date: dt.date
    days_left: int
    unit_types: tuple[str, ...]

    @property
    def source_key(self) -> str:
        return f"calendar/{self.key}/{self.date.isoformat()}"


def _on(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, months.monthrange(year, month)[1]))


def _next_date(key: str, item: dict, today: dt.date) -> dt.date:
    """The item's first date on or after today."""
    if key in MONTHLY:
        date = _on(today.year, today.month, item["day"])
        if date < today:
            year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
            date = _on(year, month, item["day"])
        return date
    date = _on(today.year, item["month"], item["day"])
    return date if date >= today else _on(today.year + 1, item["month"], item["day"])


def due_occurrences(section: dict, send_hour: int, tz: ZoneInfo, now: dt.datetime) -> list[Occurrence]:
    """The items to announce now: enabled, their date ahead within the lead, the send hour come."""
    local = now.astimezone(tz)
    today, out = local.date(), []
    for key in CALENDAR_DEFAULTS:
        item = section.get(key) or CALENDAR_DEFAULTS[key]
        if not item["enabled"]:
            continue
        date = _next_date(key, item, today)
        announce = date - dt.timedelta(days=item["lead_days"])
        if announce < today or (announce == today and local.hour >= send_hour):
            out.append(Occurrence(key, TITLES[key], date, (date - today).days, tuple(item["unit_types"])))
    return out
