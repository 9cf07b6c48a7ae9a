"""Which reminder steps are due when (domain/reminders.py), which calendar dates are announced
(domain/calendar.py), and the checks of the reminders and calendar settings sections."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from services.common.errors import InvalidArgument
from services.notify.domain.calendar import due_occurrences
from services.notify.domain.notices import Notice, Recipient
from services.notify.domain.reminder_settings import (
    CALENDAR_DEFAULTS,
    Schedule,
    check_calendar,
    check_reminders,
)
from services.notify.domain.reminders import due_steps, horizon

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT = Schedule.of(check_reminders({}, "settings.reminders"))


def at(text: str, tz=SHANGHAI) -> dt.datetime:
    """A moment given as the county's wall-clock time, in UTC."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=tz).astimezone(dt.UTC)


def notice(due: str | None, requires_ack=True, requires_report=False, sent="2026-12-01 10:00") -> Notice:
    return Notice("610222", "n-1", "u-town", "彭镇", "第49周任务清单", "", (), requires_ack, requires_report, (),
                  at(due) if due else None, "clerk", at(sent))


def copy(sent="2026-12-01 10:00", parent="u-station", **progress) -> Recipient:
    return Recipient("610222", "n-1", "u-village", "村0", "VILLAGE", parent, "第一工作站", (), at(sent), **progress)


def names(n, c, now, schedule=DEFAULT, tz=SHANGHAI):
    return [s.name for s in due_steps(n, c, schedule, tz, at(now) if isinstance(now, str) else now)]


def test_default_schedule_before_on_and_after_the_due_day():
    n = notice("2026-12-11 18:00")
    assert names(n, copy(), "2026-12-10 08:59") == []
    assert names(n, copy(), "2026-12-10 09:00") == ["before-1"]
    assert names(n, copy(), "2026-12-11 09:30") == ["due-day"]
    assert names(n, copy(), "2026-12-12 09:00") == ["due-day"]  # overdue, but the first overdue step is day 2
    assert names(n, copy(), "2026-12-13 09:00") == ["overdue-1"]
    # Three days overdue: escalated to the unit above; the latest reminder is still overdue-1.
    assert names(n, copy(), "2026-12-14 09:00") == ["overdue-1", "escalate"]
    assert names(n, copy(), "2026-12-15 09:00") == ["overdue-2", "escalate"]


def test_a_deadline_before_the_send_hour_is_reminded_at_the_start_of_its_day():
    n = notice("2026-12-11 08:00")
    assert names(n, copy(), "2026-12-11 00:00") == ["due-day"]
    assert names(n, copy(), "2026-12-10 23:59") == ["before-1"]


def test_steps_that_came_before_the_notice_was_sent_are_skipped():
    n = notice("2026-12-11 18:00", sent="2026-12-10 15:00")
    assert names(n, copy(sent="2026-12-10 15:00"), "2026-12-10 16:00") == []
    assert names(n, copy(sent="2026-12-10 15:00"), "2026-12-11 09:00") == ["due-day"]


def test_a_copy_that_has_what_the_notice_asks_for_gets_nothing():
    n = notice("2026-12-11 18:00", requires_ack=True, requires_report=True)
    later = "2026-12-20 09:00"
    assert names(n, copy(acknowledged_at=at("2026-12-02 09:00")), later) == ["overdue-4", "escalate"]
    assert names(n, copy(acknowledged_at=at("2026-12-02 09:00"), reported_at=at("2026-12-02 09:00")), later) == []
    ack_only = notice("2026-12-11 18:00")
    assert names(ack_only, copy(acknowledged_at=at("2026-12-02 09:00")), later) == []
    # A notice that asks for nothing, or has no deadline, is never reminded.
    assert names(notice("2026-12-11 18:00", requires_ack=False), copy(), later) == []
    assert names(notice(None), copy(), later) == []


def test_a_unit_without_a_parent_is_reminded_but_not_escalated():
    assert names(notice("2026-12-11 18:00"), copy(parent=None), "2026-12-14 09:00") == ["overdue-1"]


def test_days_are_the_countys_days():
    # 18:00 on the 11th in Urumqi is 20:00 in Beijing: the same moment, the same due day there.
    urumqi = ZoneInfo("Asia/Urumqi")
    n = notice("2026-12-11 18:00")
    assert names(n, copy(), at("2026-12-10 09:00", urumqi), tz=urumqi) == ["before-1"]
    assert names(n, copy(), at("2026-12-10 08:00", urumqi), tz=urumqi) == []
    # A deadline at 01:00 Beijing time on the 12th is still the 11th in Urumqi (23:00).
    late = notice("2026-12-12 01:00")
    assert names(late, copy(), at("2026-12-11 09:00", urumqi), tz=urumqi) == ["due-day"]


def test_a_countys_own_schedule():
    schedule = Schedule.of(check_reminders({"before_days": [1, 3], "on_due_day": False, "overdue_every_days": 1,
                                            "overdue_max": 2, "escalate_after_days": 0, "send_hour": 8}, "s"))
    n = notice("2026-12-11 18:00")
    assert names(n, copy(), "2026-12-08 08:00", schedule) == ["before-3"]
    assert names(n, copy(), "2026-12-11 12:00", schedule) == ["before-1"]
    assert names(n, copy(), "2026-12-12 08:00", schedule) == ["overdue-1"]
    assert names(n, copy(), "2026-12-30 08:00", schedule) == ["overdue-2"]  # no more, never escalated
    off = Schedule.of(check_reminders({"enabled": False}, "s"))
    assert names(n, copy(), "2026-12-30 08:00", off) == []
    behind, ahead = horizon(schedule)
    assert (behind.days, ahead.days) == (4, 4)


@pytest.mark.parametrize(("section", "field"), [
    ({"before_days": [1, 1]}, "s.before_days[1]"),
    ({"before_days": [0]}, "s.before_days[0]"),
    ({"send_hour": 24}, "s.send_hour"),
    ({"overdue_every_days": -1}, "s.overdue_every_days"),
    ({"sms": "yes"}, "s.sms"),
    ({"colour": 1}, "s.colour"),
])
def test_reminder_settings_refused_name_the_field(section, field):
    with pytest.raises(InvalidArgument) as raised:
        check_reminders(section, "s")
    assert field in [v.field for v in raised.value.violations]


def test_calendar_settings_refused_name_the_field():
    with pytest.raises(InvalidArgument) as raised:
        check_calendar({"org_life": {"month": 13, "unit_types": ["HAMLET"]}}, "c")
    assert {v.field for v in raised.value.violations} == {"c.org_life.month", "c.org_life.unit_types[0]"}


def calendar_keys(now: str, section=None):
    return [(o.key, o.date.isoformat(), o.days_left) for o in
            due_occurrences(check_calendar(section or {}, "c"), 9, SHANGHAI, at(now))]


def test_the_party_day_is_announced_from_its_lead_until_the_day():
    assert calendar_keys("2026-03-03 08:00") == []
    assert calendar_keys("2026-03-03 09:00") == [("party_day", "2026-03-05", 2)]
    assert calendar_keys("2026-03-05 07:00") == [("party_day", "2026-03-05", 0)]
    assert calendar_keys("2026-03-06 09:00") == []  # past: next month's is not yet within its lead
    # A day the month lacks is its last day.
    assert calendar_keys("2026-02-27 09:00", {"party_day": {"day": 31}}) == [("party_day", "2026-02-28", 1)]


def test_the_yearly_dates():
    assert ("org_life", "2026-12-20", 30) in calendar_keys("2026-11-20 09:00")
    assert ("democratic_review", "2027-01-31", 30) in calendar_keys("2027-01-01 10:00")
    assert [k for k, *_ in calendar_keys("2026-12-21 09:00", {"party_day": {"enabled": False}})] == []
    assert CALENDAR_DEFAULTS["org_life"]["month"] == 12
