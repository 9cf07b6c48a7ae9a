"""Reminders, escalations and calendar dates (SweepReminders, the reminders and calendar settings)
and GetNoticeStatus page by page, through gRPC on SQLite and PostgreSQL.

The sweep runs `as_of` a moment after the deadline, the way the platform's periodic job would
run then. Messages are read from notify's store (the inbox and message listings are RPCs of
their own concerns)."""

from __future__ import annotations

import datetime as dt

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from partybuilding.notify.v1 import notify_notices_pb2 as npb
from partybuilding.notify.v1 import notify_reminders_pb2 as rpb
from partybuilding.notify.v1 import notify_settings_pb2 as spb
from partybuilding.organization.v1 import organization_service_pb2 as opb

from tests.helpers import expect
from tests.integration.notify_world import NotifyWorld, copy_name, selector, stored_messages, values

INVALID = grpc.StatusCode.INVALID_ARGUMENT


@pytest.fixture
def w(platform) -> NotifyWorld:
    return NotifyWorld(platform)


def stamp(moment: dt.datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(moment)
    return out


def due_of(notice) -> dt.datetime:
    return notice.due_time.ToDatetime(tzinfo=dt.UTC)


def sweep(w, as_of: dt.datetime | None = None) -> rpb.SweepRemindersResponse:
    request = rpb.SweepRemindersRequest(parent=w.parent, as_of=stamp(as_of) if as_of else None)
    return w.s.SweepReminders(request, metadata=w.p.operator())


def messages(w) -> list:
    return stored_messages(w.p, w.code)


def unit_id(unit) -> str:
    return unit.name.rsplit("/", 1)[-1]


def update_settings(w, paths, **sections):
    return w.s.UpdateNotifySettings(spb.UpdateNotifySettingsRequest(
        settings=spb.NotifySettings(name=f"{w.parent}/notifySettings", **sections), update_mask={"paths": paths}),
        metadata=w.admin)


def test_overdue_copies_are_reminded_and_escalated_once(w):
    task_list = w.task_list()
    station = w.stations[0]
    child = w.s.ForwardNotice(npb.ForwardNoticeRequest(name=copy_name(task_list.name, station.name),
                                                       recipients=[selector(station.name, [opb.VILLAGE])]),
                              metadata=w.clerk(station))
    w.s.SubmitReport(npb.SubmitReportRequest(name=copy_name(child.name, w.villages[0].name),
                                             values=values(meetings=1, summary="已完成")), metadata=w.clerk(w.villages[0]))
    # Nothing is due the moment it is sent.
    assert sweep(w).reminders == 0
    later = due_of(task_list) + dt.timedelta(days=4)
    got = sweep(w, later)
    # Open: both stations (the first forwarded it, which is receipt, but has not reported) and
    # 村1, 村2; 村0 reported.
    assert (got.open_copies, got.reminders, got.escalations) == (4, 4, 4)
    found = messages(w)
    reminded = {r[3] for r in found if r[1] == "REMINDER"}
    assert reminded == {unit_id(u) for u in (w.stations[0], w.stations[1], w.villages[1], w.villages[2])}
    assert {r[2] for r in found if r[1] == "REMINDER"} == {"notify.reminder_overdue"}
    assert all(r[0] == "INBOX" and r[5] == "DELIVERED" for r in found)
    # Escalated to the unit above: 村1, 村2 to their station, the stations to the township.
    escalated = sorted((r[4], r[3]) for r in found if r[1] == "ESCALATION")
    assert escalated == sorted([(unit_id(w.villages[1]), unit_id(station)), (unit_id(w.villages[2]), unit_id(station)),
                                (unit_id(w.stations[0]), unit_id(w.town)), (unit_id(w.stations[1]), unit_id(w.town))])
    village = next(r for r in found if r[1] == "REMINDER" and r[3] == unit_id(w.villages[1]))
    assert "村1" in village[6] and "已逾期" in village[6] and "签收并汇报" in village[6]
    assert any("下级单位“村1”" in r[6] for r in found if r[1] == "ESCALATION")
    # Again, or a second replica at the same time: nothing new.
    again = sweep(w, later)
    assert (again.reminders, again.escalations) == (0, 0) and len(messages(w)) == len(found)


def test_sms_reminders_are_queued_and_cancelled_when_the_copy_is_acknowledged(w):
    update_settings(w, ["reminders.sms", "reminders.escalate_after_days"],
                    reminders=spb.ReminderSettings(sms=True, escalate_after_days=0))
    shown = w.s.GetNotifySettings(spb.GetNotifySettingsRequest(name=f"{w.parent}/notifySettings"), metadata=w.admin)
    assert (shown.reminders.sms, shown.reminders.escalate_after_days, list(shown.reminders.before_days)) == (True, 0, [1])
    notice = w.send(recipients=[selector(w.town.name, [opb.VILLAGE], [opb.SECRETARY])], requires_ack=True,
                    due_time=stamp(dt.datetime.now(dt.UTC) + dt.timedelta(days=2)))
    got = sweep(w, due_of(notice) + dt.timedelta(days=2, hours=1))
    assert got.escalations == 0  # escalation turned off (0)
    sms = [r for r in messages(w) if r[0] == "SMS"]
    assert sorted(r[3] for r in sms) == sorted(s.name.rsplit("/", 1)[-1] for s in w.secretaries)
    assert {r[5] for r in sms} == {"QUEUED"}
    w.s.AcknowledgeNotice(npb.AcknowledgeNoticeRequest(name=copy_name(notice.name, w.villages[0].name)),
                          metadata=w.clerk(w.villages[0]))
    status = {r[4]: r[5] for r in messages(w) if r[0] == "SMS"}
    assert status[unit_id(w.villages[0])] == "CANCELLED" and status[unit_id(w.villages[1])] == "QUEUED"


def test_the_calendar_tells_every_village_once(w):
    off = spb.CalendarItem(enabled=False)
    update_settings(w, ["calendar"], calendar=spb.CalendarSettings(
        party_day=spb.CalendarItem(day=5, lead_days=2), org_life=off, democratic_review=off))
    now = dt.datetime.now(dt.UTC)
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    # 10:00 on the 3rd of next month in the county (UTC+8): two days before its 主题党日.
    as_of = dt.datetime(year, month, 3, 2, 0, tzinfo=dt.UTC)
    got = sweep(w, as_of)
    assert got.calendar == 6  # 村0..村4 and 尧生村
    party = [r for r in messages(w) if r[1] == "CALENDAR"]
    assert {r[2] for r in party} == {"notify.calendar_party_day"}
    assert f"{year}-{month:02d}-05" in party[0][6] and "2天后" in party[0][6]
    assert sweep(w, as_of).calendar == 0


def test_bad_sweeps_and_settings_are_refused_naming_the_field(w):
    expect(INVALID, sweep, w, dt.datetime.now(dt.UTC) + dt.timedelta(days=500), field="as_of")
    expect(grpc.StatusCode.PERMISSION_DENIED, w.s.SweepReminders, rpb.SweepRemindersRequest(parent=w.parent),
           metadata=w.admin)
    expect(INVALID, update_settings, w, ["reminders"], reminders=spb.ReminderSettings(before_days=[2, 2]),
           field="settings.reminders.before_days[1]")
    expect(INVALID, update_settings, w, ["reminders.send_hour"], reminders=spb.ReminderSettings(send_hour=24),
           field="settings.reminders.send_hour")
    expect(INVALID, update_settings, w, ["calendar"], calendar=spb.CalendarSettings(
        org_life=spb.CalendarItem(month=13)), field="settings.calendar.org_life.month")


def test_notice_status_pages_its_recipients_and_keeps_the_counts_whole(w):
    notice = w.send(recipients=[selector(w.town.name)], requires_ack=True)
    w.s.AcknowledgeNotice(npb.AcknowledgeNoticeRequest(name=copy_name(notice.name, w.villages[3].name)),
                          metadata=w.clerk(w.villages[3]))
    whole = w.status(notice.name)
    assert (whole.counts.recipients, whole.counts.acknowledged, whole.next_page_token) == (8, 1, "")
    seen, token = [], ""
    while True:
        page = w.s.GetNoticeStatus(npb.GetNoticeStatusRequest(name=notice.name, page_size=3, page_token=token),
                                   metadata=w.admin)
        assert page.counts == whole.counts and page.tree_counts == whole.tree_counts
        assert list(page.unit_counts) == list(whole.unit_counts)
        seen += [r.recipient.name for r in page.recipients]
        token = page.next_page_token
        if not token:
            break
    assert seen == [r.recipient.name for r in whole.recipients] and len(seen) == 8
    expect(INVALID, w.s.GetNoticeStatus, npb.GetNoticeStatusRequest(name=notice.name, page_size=-1),
           metadata=w.admin, field="page_size")
    other = w.send(recipients=[selector(w.town.name)])
    first = w.s.GetNoticeStatus(npb.GetNoticeStatusRequest(name=notice.name, page_size=3), metadata=w.admin)
    expect(INVALID, w.s.GetNoticeStatus, npb.GetNoticeStatusRequest(
        name=other.name, page_size=3, page_token=first.next_page_token), metadata=w.admin, field="page_token")


def test_the_platforms_periodic_sweep_reaches_every_county(w):
    from zoneinfo import ZoneInfo

    from services.notify.service_layer.reminders import sweep_all

    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).day
    off = spb.CalendarItem(enabled=False)
    update_settings(w, ["calendar", "reminders.send_hour"], reminders=spb.ReminderSettings(send_hour=0),
                    calendar=spb.CalendarSettings(party_day=spb.CalendarItem(day=today, lead_days=0),
                                                  org_life=off, democratic_review=off))
    sweep_all(w.p.runtime("notify").uow_factory)  # what the job calls every 10 minutes, for every county
    assert len([r for r in messages(w) if r[1] == "CALENDAR"]) == 6
    expect(grpc.StatusCode.NOT_FOUND, w.s.SweepReminders, rpb.SweepRemindersRequest(parent="tenants/610298"),
           metadata=w.p.operator())
