"""Which reminder steps of an open copy are due now (pure; dates in the county's time zone).

A copy is open while it lacks what its notice asks for: the report if `requires_report`, else
签收 if `requires_ack`. A forwarded copy was acknowledged by forwarding it, so it stays open
only for its report (the station's 汇总). A notice without a due time, or asking for nothing,
has no reminders.

The steps of a copy, each at `send_hour` of a county day: `before-N` N days before the due day,
`due-day` on it (at the start of the day when the deadline comes before the send hour), `overdue-K` every `overdue_every_days`
after it (K = 1 … overdue_max), and `escalate` when it is `escalate_after_days` overdue. The
sweep sends only the latest reminder step that has come (a sweep that missed a day does not
send yesterday's reminder beside today's), and never one whose time came before the notice
was sent. Each step's source key `{notice}/{unit}/{step}` makes it at most one message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from services.notify.domain.notices import Notice, Recipient
from services.notify.domain.reminder_settings import Schedule

REMINDER_DUE = "notify.reminder_due"
REMINDER_OVERDUE = "notify.reminder_overdue"
ESCALATED = "notify.escalated"
ESCALATE = "escalate"


@dataclass(frozen=True)
class Step:
    name: str  # before-1, due-day, overdue-2, escalate
    at: dt.datetime  # UTC
    event_type: str  # which template renders it
    days: int  # days left before the due day (before-N, due-day: 0) or days overdue


def is_open(notice: Notice, copy: Recipient) -> bool:
    if notice.requires_report:
        return copy.reported_at is None
    return notice.requires_ack and copy.acknowledged_at is None and copy.reported_at is None


def _at(day: dt.date, hour: int, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=tz).astimezone(dt.UTC)


def steps(notice: Notice, schedule: Schedule, tz: ZoneInfo) -> list[Step]:
    """Every step of a notice's schedule in time order (the reminders, then the escalation)."""
    if notice.due_at is None or not schedule.enabled:
        return []
    due_day = notice.due_at.astimezone(tz).date()
    out = [Step(f"before-{n}", _at(due_day - dt.timedelta(days=n), schedule.send_hour, tz), REMINDER_DUE, n)
           for n in schedule.before_days]
    if schedule.on_due_day:
        # A deadline before send_hour is reminded at the start of its day, not after it.
        on_day = _at(due_day, schedule.send_hour, tz)
        out.append(Step("due-day", on_day if on_day < notice.due_at else _at(due_day, 0, tz), REMINDER_DUE, 0))
    if schedule.overdue_every_days:
        for k in range(1, schedule.overdue_max + 1):
            days = k * schedule.overdue_every_days
            out.append(Step(f"overdue-{k}", _at(due_day + dt.timedelta(days=days), schedule.send_hour, tz),
                            REMINDER_OVERDUE, days))
    out.sort(key=lambda step: step.at)
    if schedule.escalate_after_days:
        days = schedule.escalate_after_days
        out.append(Step(ESCALATE, _at(due_day + dt.timedelta(days=days), schedule.send_hour, tz), ESCALATED, days))
    return out


def due_steps(notice: Notice, copy: Recipient, schedule: Schedule, tz: ZoneInfo, now: dt.datetime) -> list[Step]:
    """The steps to make now for this copy: the latest reminder that has come, and the escalation
    once it has come (to a unit that has a parent)."""
    if not is_open(notice, copy):
        return []
    came = [s for s in steps(notice, schedule, tz) if copy.sent_at < s.at <= now]
    out = [s for s in came if s.name != ESCALATE][-1:]
    if copy.parent_unit_id and any(s.name == ESCALATE for s in came):
        out.append(next(s for s in came if s.name == ESCALATE))
    return out


def horizon(schedule: Schedule) -> tuple[dt.timedelta, dt.timedelta]:
    """How far before and after now a due time can lie for a step of it to come now: the sweep
    looks only at notices due within this window."""
    ahead = max(schedule.before_days, default=0) + 1
    behind = max(schedule.overdue_every_days * schedule.overdue_max, schedule.escalate_after_days) + 2
    return dt.timedelta(days=behind), dt.timedelta(days=ahead)
