"""The weekly task list, "two down, two up" (两下两上), and the inbox, through gRPC on SQLite and
PostgreSQL: a township sends to its stations, a station forwards to its villages, villages report,
the station's report sums theirs, and the township's status shows the whole tree."""

from __future__ import annotations

import grpc
import pytest
from partybuilding.notify.v1 import notify_notices_pb2 as npb
from partybuilding.organization.v1 import organization_service_pb2 as opb

from tests.helpers import expect
from tests.integration.notify_world import (
    NotifyWorld,
    copy_name,
    in_days,
    outbox,
    selector,
    stored_messages,
    values,
)

INVALID, DENIED = grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.PERMISSION_DENIED


@pytest.fixture
def w(platform) -> NotifyWorld:
    return NotifyWorld(platform)


def forward(w, notice, station, md=None, **fields):
    fields.setdefault("recipients", [selector(station.name, [opb.VILLAGE])])
    return w.s.ForwardNotice(npb.ForwardNoticeRequest(name=copy_name(notice.name, station.name), **fields),
                             metadata=md or w.clerk(station))


def report(w, notice, unit, **kwargs):
    return w.s.SubmitReport(npb.SubmitReportRequest(name=copy_name(notice.name, unit.name), **kwargs),
                            metadata=w.clerk(unit))


def test_a_task_list_runs_down_and_up_through_stations_and_villages(w):
    township_list = w.task_list(title="第49周任务清单")
    station = w.stations[0]
    child = forward(w, township_list, station, note="请各村周五前报送。", request_id="fwd-1")
    assert (child.parent_notice, child.sender_display_name, child.recipient_count) == (
        township_list.name, "第一工作站", 3)
    assert child.due_time == township_list.due_time and child.report_form == township_list.report_form
    # A retry answers the same child; a second forward without the request id is refused.
    assert forward(w, township_list, station, note="请各村周五前报送。", request_id="fwd-1").name == child.name
    expect(grpc.StatusCode.FAILED_PRECONDITION, forward, w, township_list, station, reason="ALREADY_FORWARDED")
    report(w, child, w.villages[0], values=values(meetings=2, summary="召开党员大会", status="已完成"))
    report(w, child, w.villages[1], values=values(meetings="1.5", summary="开展志愿服务", status="已完成",
                                                  done_on="2026-12-03"))
    # The station reports up: what it gives stands, the rest is its villages' reports summed.
    up = report(w, township_list, station, values=values(summary="本站三村中两村已完成"), include_forwarded=True)
    got = {v.field: v.value for v in up.report.values}
    assert got == {"meetings": "3.5", "summary": "本站三村中两村已完成", "done_on": "2026-12-03", "status": "已完成"}
    assert (list(up.report.aggregated_fields), up.report.forwarded_reported, up.report.forwarded_total) == (
        ["meetings", "done_on", "status"], 2, 3)
    # The township sees the whole tree: its stations, and below the first its villages.
    status = w.status(township_list.name, md=w.clerk(w.town))
    assert (status.counts.recipients, status.counts.reported) == (2, 1)
    assert (status.tree_counts.recipients, status.tree_counts.reported, status.tree_counts.acknowledged) == (5, 3, 3)
    below = {r.recipient.unit_display_name: r.forwarded for r in status.recipients}
    assert below["第一工作站"].notice.name == child.name and not below["第二工作站"].HasField("notice")
    assert [r.recipient.state for r in below["第一工作站"].recipients] == [
        npb.Recipient.REPORTED, npb.Recipient.REPORTED, npb.Recipient.UNREAD]
    types = [t for t, _ in outbox(w.p, w.code)]
    assert types.count("notify.notice_forwarded") == 1 and types.count("notify.notice_sent") == 2
    # The station sees its own forwarded list, not the township's.
    assert w.status(child.name, md=w.clerk(station)).counts.reported == 2
    expect(DENIED, w.status, township_list.name, md=w.clerk(station), reason="OUTSIDE_CLERK_SUBTREE")


def test_a_station_forwards_only_below_itself_and_never_after_the_deadline(w):
    township_list = w.task_list()
    station = w.stations[0]
    # The station's clerk reaches no further than the station; the county, acting for the station,
    # is told where a forward may go.
    expect(DENIED, forward, w, township_list, station, recipients=[selector(w.villages[3].name)],
           reason="OUTSIDE_CLERK_SUBTREE")
    expect(INVALID, forward, w, township_list, station, recipients=[selector(w.villages[3].name)], md=w.admin,
           field="recipients[0].subtree", reason="NOT_UNDER_FORWARDER")
    expect(INVALID, forward, w, township_list, station, due_time=in_days(5), field="due_time")
    expect(INVALID, forward, w, township_list, station, due_time=in_days(-1), field="due_time")
    expect(DENIED, forward, w, township_list, station, md=w.clerk(w.town), reason="NOT_OWN_UNIT")
    expect(DENIED, forward, w, township_list, station, md=w.clerk(w.stations[1]), reason="NOT_OWN_UNIT")
    # A forward is receipt too: the station's copy is acknowledged.
    forward(w, township_list, station, due_time=in_days(2))
    copy = w.status(township_list.name).recipients[0].recipient
    assert (copy.unit_display_name, copy.state) == ("第一工作站", npb.Recipient.ACKNOWLEDGED)


def test_overdue_recipients_are_counted(w, platform):
    notice = w.send(recipients=[selector(w.stations[1].name, [opb.VILLAGE])], requires_ack=True,
                    due_time=in_days(3 / 86400))  # due in three seconds
    w.s.AcknowledgeNotice(npb.AcknowledgeNoticeRequest(name=copy_name(notice.name, w.villages[3].name)),
                          metadata=w.clerk(w.villages[3]))
    from tests.helpers import wait_for
    status = wait_for(lambda: (s := w.status(notice.name)).counts.overdue and s, timeout=10, what="the deadline")
    assert [(r.recipient.unit_display_name, r.recipient.overdue) for r in status.recipients] == [
        ("村3", False), ("村4", True)]


def test_a_clerk_sees_their_units_inbox_unread_first(w):
    village = w.villages[0]
    md = w.clerk(village)
    sent = [w.send(title=f"通知{i}", recipients=[selector(w.stations[0].name, [opb.VILLAGE])]) for i in range(3)]
    w.s.MarkRead(npb.MarkReadRequest(name=copy_name(sent[2].name, village.name)), metadata=md)
    inbox = w.s.ListInbox(npb.ListInboxRequest(unit=village.name, page_size=2), metadata=md)
    assert (inbox.unread_count, inbox.total_size) == (2, 3)
    assert [i.notice.title for i in inbox.items] == ["通知1", "通知0"]
    rest = w.s.ListInbox(npb.ListInboxRequest(unit=village.name, page_size=2, page_token=inbox.next_page_token),
                         metadata=md)
    assert [(i.notice.title, i.recipient.state) for i in rest.items] == [("通知2", npb.Recipient.READ)]
    assert not rest.next_page_token
    unread = w.s.ListInbox(npb.ListInboxRequest(unit=village.name, unread_only=True), metadata=md)
    assert [i.notice.title for i in unread.items] == ["通知1", "通知0"]
    # Another village's clerk and the station's clerk do not read this inbox; the county does.
    for unit in (w.villages[1], w.stations[0]):
        expect(DENIED, w.s.ListInbox, npb.ListInboxRequest(unit=village.name), metadata=w.clerk(unit),
               reason="NOT_OWN_UNIT")
    assert w.s.ListInbox(npb.ListInboxRequest(unit=village.name), metadata=w.admin).total_size == 3
    # A token from another filter is refused.
    expect(INVALID, w.s.ListInbox, npb.ListInboxRequest(unit=village.name, unread_only=True,
                                                        page_token=inbox.next_page_token), metadata=md,
           field="page_token")


def test_notices_sent_by_and_addressed_to_a_unit(w):
    mine = w.task_list()
    county = w.send(recipients=[selector(w.town.name, [opb.VILLAGE])])
    listed = lambda **req: [n.name for n in w.s.ListNotices(npb.ListNoticesRequest(  # noqa: E731
        parent=w.parent, **req), metadata=req.pop("md", w.admin) if "md" in req else w.admin).notices]
    assert listed(sent_by=w.town.name) == [mine.name]
    assert listed(sent_by="-") == [county.name]
    assert listed(addressed_to=w.villages[0].name) == [county.name]
    assert listed(addressed_to=w.stations[0].name) == [mine.name]
    assert listed() == [county.name, mine.name]
    # A clerk lists what their subtree sent; the county's own notices are outside it.
    town_clerk = w.clerk(w.town)
    got = w.s.ListNotices(npb.ListNoticesRequest(parent=w.parent), metadata=town_clerk)
    assert [n.name for n in got.notices] == [mine.name]
    expect(DENIED, w.s.ListNotices, npb.ListNoticesRequest(parent=w.parent, sent_by="-"), metadata=town_clerk)
    expect(DENIED, w.s.ListNotices, npb.ListNoticesRequest(parent=w.parent, addressed_to=w.other_village.name),
           metadata=town_clerk, reason="OUTSIDE_CLERK_SUBTREE")
    page = w.s.ListNotices(npb.ListNoticesRequest(parent=w.parent, page_size=1), metadata=w.admin)
    assert [n.name for n in page.notices] == [county.name] and page.next_page_token


def test_the_demo_week_is_in_flight_down_to_the_villages(w, platform):
    from services.notify import demo

    uows = platform.runtime("notify").uow_factory
    assert demo.load_demo_serving(uows, w.code)
    assert not demo.load_demo_serving(uows, w.code)  # once: a restart adds nothing
    listed = w.s.ListNotices(npb.ListNoticesRequest(parent=w.parent, sent_by=w.town.name), metadata=w.admin)
    task_list, last_week = listed.notices
    # Last week's list is done but for one village of the first station: reminded and escalated.
    assert w.status(last_week.name).tree_counts.overdue == 1
    told = {(kind, recipient) for _, kind, _, recipient, _, _, _ in stored_messages(platform, w.code)}
    overdue, station = (u.name.rsplit("/", 1)[-1] for u in (w.villages[2], w.stations[0]))
    assert {("REMINDER", overdue), ("ESCALATION", station)} <= told
    status = w.status(task_list.name)
    states = {r.recipient.unit_display_name: r.recipient.state for r in status.recipients}
    assert states == {"第一工作站": npb.Recipient.ACKNOWLEDGED, "第二工作站": npb.Recipient.ACKNOWLEDGED}
    villages = [r.recipient.state for r in status.recipients[0].forwarded.recipients]
    assert villages == [npb.Recipient.REPORTED, npb.Recipient.REPORTED, npb.Recipient.ACKNOWLEDGED]
    # Every village secretary has the county's themed Party day notice in their village's inbox.
    inbox = w.s.ListInbox(npb.ListInboxRequest(unit=w.villages[3].name), metadata=w.clerk(w.villages[3]))
    assert [i.notice.title for i in inbox.items] == ["关于开展本月主题党日活动的通知"]
