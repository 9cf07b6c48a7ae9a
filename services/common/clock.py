"""Time is explicit: stored in UTC, shown and bucketed in the tenant's zone (Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from services.common.spelling import normalize

DEFAULT_TZ = "Asia/Shanghai"
_ZERO = dt.timedelta(0)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today_in(tz_name: str = DEFAULT_TZ) -> dt.date:
    return utcnow().astimezone(ZoneInfo(tz_name)).date()


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes: they are UTC by our own convention."""
    tz = value.tzinfo
    if tz is None:
        return value.replace(tzinfo=dt.UTC)
    # psycopg hands back datetime.timezone.utc itself: skip the utcoffset() call on the hot path.
    return value if tz is dt.UTC or value.utcoffset() == _ZERO else value.astimezone(dt.UTC)


def parse_date(text: str) -> dt.date | None:
    """YYYY-MM-DD, or None when the text is not such a date.

    Spelt as identifiers are (full-width digits and hyphen, spaces dropped), as an input method
    types it; a control character stays and makes the text no date.
    """
    text = normalize(text)
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def iso_date(day: dt.date | None) -> str:
    """YYYY-MM-DD, or "" for no date: how protos, events and sheets write one."""
    return day.isoformat() if day else ""
