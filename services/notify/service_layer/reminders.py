"""The reminder sweep (催办): reminders before and after a notice's deadline, escalation to the
unit above, the county's calendar dates, and cancelling what a copy no longer needs.

One county per transaction. Every message goes through compose() with a source key per step
(`{notice}/{unit}/{step}`, `calendar/{item}/{date}`), so running the sweep twice, or in two
replicas at once, stores each message once: the steps already stored are skipped before
composing, and the dedupe key (ON CONFLICT DO NOTHING) settles a race between two sweeps.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from services.common.archive import without_archived
from services.common.auth import Principal
from services.common.clock import DEFAULT_TZ, utcnow
from services.common.errors import InvalidArgument, not_found
from services.common.tenancy import ALL_TENANTS, tenant_name
from services.notify.domain import reminder_templates  # noqa: F401  (registers the event types)
from services.notify.domain.calendar import due_occurrences, event_type
from services.notify.domain.messages import Channel, Recipient, RecipientKind, SourceKind, Status
from services.notify.domain.names import notice_name
from services.notify.domain.notices import Notice
from services.notify.domain.notices import Recipient as Copy
from services.notify.domain.reminder_settings import Schedule
from services.notify.domain.reminders import (
    ESCALATE,
    REMINDER_OVERDUE,
    Step,
    due_steps,
    horizon,
    is_open,
)
from services.notify.service_layer.messaging import compose
from services.notify.service_layer.settings import load_settings
from services.notify.service_layer.unit_of_work import NotifyUnitOfWork, NotifyUnitOfWorkFactory

log = logging.getLogger("partybuilding.notify.reminders")
AS_OF_RANGE = dt.timedelta(days=400)


@dataclass
class SweepReminders:
    tenant: str
    as_of: dt.datetime | None = None  # None: now


@dataclass
class SweepCounts:
    reminders: int = 0
    escalations: int = 0
    calendar: int = 0
    cancelled: int = 0
    open_copies: int = 0


def county_zone(uow: NotifyUnitOfWork) -> ZoneInfo:
    tenant = uow.directory.tenant()
    return ZoneInfo((tenant.time_zone if tenant is not None else "") or DEFAULT_TZ)


def sweep_county(cmd: SweepReminders, uows: NotifyUnitOfWorkFactory, who: Principal) -> SweepCounts:
    """One county's reminders, escalations and calendar dates due now, in one transaction."""
    now = utcnow()
    if cmd.as_of is not None and abs(cmd.as_of - now) > AS_OF_RANGE:
        raise InvalidArgument.field("as_of", "只能在当前时间前后 400 天以内", "must lie within 400 days of now")
    now = cmd.as_of or now
    counts = SweepCounts()
    with uows(cmd.tenant) as uow:
        if uow.directory.tenant() is None:
            raise not_found("县", "county", tenant_name(cmd.tenant))
        settings, tz = load_settings(uow), county_zone(uow)
        schedule = Schedule.of(settings)
        if schedule.enabled:
            _remind(uow, schedule, tz, now, counts)
        for msg in uow.reminders.queued_for_done_copies():
            counts.cancelled += uow.messages.save(msg.with_status(Status.CANCELLED, now, "已办理 / done"))
        counts.calendar = _calendar(uow, settings.section("calendar"), schedule.send_hour, tz, now)
        uow.commit()
    return counts


def _remind(uow: NotifyUnitOfWork, schedule: Schedule, tz: ZoneInfo, now: dt.datetime, counts: SweepCounts) -> None:
    behind, ahead = horizon(schedule)
    copies = uow.reminders.open_copies(now - behind, now + ahead)
    counts.open_copies = len(copies)
    stored = uow.reminders.stored_keys({notice.id for notice, _ in copies})
    with uow.messages.batched() as batch:
        for notice, copy in copies:
            for step in due_steps(notice, copy, schedule, tz, now):
                key = f"{notice.id}/{copy.unit_id}/{step.name}"
                if key not in stored:
                    compose(uow, source_kind=SourceKind.ESCALATION if step.name == ESCALATE else SourceKind.REMINDER,
                            source_key=key, source_type=step.event_type, data=_data(notice, copy, step, tz, now),
                            recipients=_recipients(copy, step, schedule), now=now, notice_id=notice.id,
                            unit_id=copy.unit_id)
    counts.escalations = sum(msg.source_kind is SourceKind.ESCALATION for msg in batch.stored)
    counts.reminders = len(batch.stored) - counts.escalations


def _asks(notice: Notice, copy: Copy) -> str:
    if notice.requires_report:
        return "汇报" if copy.acknowledged_at else "签收并汇报"
    return "签收"


def _data(notice: Notice, copy: Copy, step: Step, tz: ZoneInfo, now: dt.datetime) -> dict:
    """What a reminder's template sees; days counted in the county's days as of the sweep (a sweep
    that ran late says how late it is, not when the step was meant to go)."""
    due = notice.due_at.astimezone(tz)
    days = (now.astimezone(tz).date() - due.date()).days
    data = {"notice": notice_name(notice.tenant, notice.id), "title": notice.title, "sender": notice.sender_display_name,
            "unit": copy.unit_display_name, "due": due.strftime("%Y-%m-%d %H:%M"), "asks": _asks(notice, copy)}
    if step.name == ESCALATE:
        return {**data, "days_overdue": days, "parent": copy.parent_display_name}
    if step.event_type == REMINDER_OVERDUE:
        return {**data, "days_overdue": days}
    return {**data, "days_left": max(0, -days)}


def _recipients(copy: Copy, step: Step, schedule: Schedule) -> list[tuple[Channel, Recipient]]:
    """A reminder goes to the unit's inbox (and, if the county wants it, by SMS to the post holders
    it was addressed to); an escalation to the inbox of the unit above."""
    if step.name == ESCALATE:
        return [(Channel.INBOX, Recipient(RecipientKind.UNIT, copy.parent_unit_id, copy.parent_display_name))]
    out = [(Channel.INBOX, Recipient(RecipientKind.UNIT, copy.unit_id, copy.unit_display_name))]
    if schedule.sms:
        # The phone is the organization's personal data: the SMS channel looks it up when it sends.
        out += [(Channel.SMS, Recipient(RecipientKind.MEMBER, a.member_id, a.display_name)) for a in copy.addressees]
    return out


def _calendar(uow: NotifyUnitOfWork, section: dict, send_hour: int, tz: ZoneInfo, now: dt.datetime) -> int:
    with uow.messages.batched() as batch:
        for occurrence in due_occurrences(section, send_hour, tz, now):
            told = uow.reminders.told(occurrence.source_key)
            for unit_id, display_name in uow.reminders.active_units(occurrence.unit_types):
                if unit_id in told:
                    continue
                data = {"title": occurrence.title, "date": occurrence.date.isoformat(),
                        "days_left": occurrence.days_left, "unit": display_name}
                compose(uow, source_kind=SourceKind.CALENDAR, source_key=occurrence.source_key,
                        source_type=event_type(occurrence.key), data=data, now=now,
                        recipients=[(Channel.INBOX, Recipient(RecipientKind.UNIT, unit_id, display_name))])
    return len(batch.stored)


def cancel_reminders(uow: NotifyUnitOfWork, notice: Notice, copy: Copy, now: dt.datetime) -> int:
    """The copy's queued reminders and escalations, cancelled once it has what its notice asks for
    (in the transaction that acknowledged or reported it). Inbox messages were delivered already."""
    if is_open(notice, copy):
        return 0
    reason = "已汇报 / reported" if copy.reported_at else "已签收 / acknowledged"
    return sum(uow.messages.save(msg.with_status(Status.CANCELLED, now, reason))
               for msg in uow.messages.for_notice(notice.id, copy.unit_id) if msg.status is Status.QUEUED)


def sweep_all(uows: NotifyUnitOfWorkFactory) -> SweepCounts:
    """Every county's sweep (the platform's periodic job); a county whose sweep fails is logged and
    the others are swept all the same."""
    who, total = Principal.operator("jobs"), SweepCounts()
    with uows(ALL_TENANTS, write=False) as uow:
        codes = without_archived(uow.conn, uow.reminders.tenants())
    for code in codes:
        try:
            counts = sweep_county(SweepReminders(code), uows, who)
        except Exception:
            log.exception("reminder sweep failed", extra={"fields": {"tenant": code}})
            continue
        for name in ("reminders", "escalations", "calendar", "cancelled"):
            setattr(total, name, getattr(total, name) + getattr(counts, name))
    if total.reminders or total.escalations or total.calendar:
        log.info("reminder sweep", extra={"fields": {"reminders": total.reminders, "escalations": total.escalations,
                                                    "calendar": total.calendar, "cancelled": total.cancelled}})
    return total
