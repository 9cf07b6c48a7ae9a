"""Sending notices through gRPC on SQLite and PostgreSQL: recipients resolved and frozen, 签收,
reports checked against the form, status, bad input, retries and events."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from partybuilding.notify.v1 import notify_notices_pb2 as npb
from partybuilding.organization.v1 import organization_service_pb2 as opb

from tests.helpers import expect
from tests.integration.notify_world import (
    NotifyWorld,
    copy_name,
    in_days,
    outbox,
    selector,
    values,
    weekly_form,
)

INVALID, DENIED = grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.PERMISSION_DENIED
PRECONDITION = grpc.StatusCode.FAILED_PRECONDITION


@pytest.fixture(scope="module")
def w(platform) -> NotifyWorld:
    return NotifyWorld(platform)


def test_secretaries_of_all_villages_under_a_township_are_resolved_and_frozen(platform):
    w = NotifyWorld(platform)  # its own county: a village is added to it below
    notice = w.send(title="关于开展主题党日的通知", recipients=[
        selector(w.town.name, [opb.VILLAGE], [opb.SECRETARY])], requires_ack=True, due_time=in_days(2))
    # 村4 has no secretary: the notice names secretaries, so a vacant post is no recipient.
    assert notice.recipient_count == 4
    assert notice.sender_display_name.endswith("委组织部")
    status = w.status(notice.name)
    got = {r.recipient.unit_display_name: [a.display_name for a in r.recipient.addressees] for r in status.recipients}
    assert got == {f"村{i}": [f"村{i}书记"] for i in range(4)}
    assert {r.recipient.state for r in status.recipients} == {npb.Recipient.UNREAD}
    # Frozen: a village created afterwards does not receive the notice sent before it existed.
    late = w.county.unit(opb.VILLAGE, "新村", w.stations[1].name)
    w.resync()
    assert late.name not in [r.recipient.unit for r in w.status(notice.name).recipients]
    assert ("notify.notice_sent", notice.name) in [(t, p["notice"]["name"]) for t, p in outbox(w.p, w.code)
                                                  if t == "notify.notice_sent"]


def test_recipients_that_resolve_to_nobody_send_nothing(w):
    before = len(outbox(w.p, w.code))
    d = expect(PRECONDITION, w.send, recipients=[selector(w.other_town.name, [opb.VILLAGE], [opb.SECRETARY])],
               reason="NO_RECIPIENTS")
    assert "找不到任何接收单位" in d.zh
    assert len(outbox(w.p, w.code)) == before


@pytest.mark.parametrize("fields,field", [
    ({"due_time": in_days(-1)}, "notice.due_time"),
    ({"due_time": in_days(400)}, "notice.due_time"),
    ({"due_time": Timestamp(seconds=2**62)}, "notice.due_time"),  # no calendar holds it
    ({"title": ""}, "notice.title"),
    ({"title": "通知\u202e"}, "notice.title"),
    ({"recipients": []}, "notice.recipients"),
    ({"recipients": [selector("tenants/610222x/units/u-1")]}, "notice.recipients[0].subtree"),
    ({"requires_report": True}, "notice.report_form.fields"),
    ({"report_form": weekly_form()}, "notice.report_form"),
    ({"requires_report": True, "report_form": npb.ReportForm(fields=[npb.ReportField(
        name="Bad Name", label_zh="项", kind=npb.ReportField.TEXT)])}, "notice.report_form.fields[0].name"),
    ({"requires_report": True, "report_form": npb.ReportForm(fields=[npb.ReportField(
        name="pick", label_zh="选", kind=npb.ReportField.CHOICE, choices=["是"])])},
     "notice.report_form.fields[0].choices"),
])
def test_bad_notices_name_the_field(w, fields, field):
    expect(INVALID, w.send, field=field, **fields)


def test_a_selector_on_an_unknown_unit_names_the_field(w):
    d = expect(INVALID, w.send, recipients=[selector(f"{w.parent}/units/u-nowhere")],
               field="notice.recipients[0].subtree", reason="UNIT_NOT_FOUND")
    assert "组织不存在" in d.zh


def test_a_retry_with_the_same_request_id_sends_once(w):
    first = w.send(request_id="week-49", recipients=[selector(w.stations[1].name, [opb.VILLAGE])])
    again = w.send(request_id="week-49", recipients=[selector(w.stations[1].name, [opb.VILLAGE])])
    assert again.name == first.name
    sent = [p["notice"]["name"] for t, p in outbox(w.p, w.code) if t == "notify.notice_sent"]
    assert sent.count(first.name) == 1
    expect(INVALID, w.send, request_id="week-49", title="另一份通知", field="request_id", reason="REQUEST_ID_REUSED")


def test_only_the_recipients_own_clerk_acknowledges(w):
    notice = w.send(recipients=[selector(w.stations[0].name, [opb.VILLAGE])], requires_ack=True)
    mine = copy_name(notice.name, w.villages[0].name)
    request = npb.AcknowledgeNoticeRequest(name=mine)
    # Another village's clerk, the station's (above it) and the other township's may not sign for it.
    for unit in (w.villages[1], w.stations[0], w.other_town):
        expect(DENIED, w.s.AcknowledgeNotice, request, metadata=w.clerk(unit))
    acked = w.s.AcknowledgeNotice(request, metadata=w.clerk(w.villages[0]))
    assert acked.state == npb.Recipient.ACKNOWLEDGED and acked.acknowledged_by == "clerk-村0"
    again = w.s.AcknowledgeNotice(request, metadata=w.clerk(w.villages[0]))
    assert (again.acknowledge_time, again.etag) == (acked.acknowledge_time, acked.etag)
    assert [t for t, p in outbox(w.p, w.code) if t == "notify.notice_acknowledged"
            and p["recipient"]["name"] == mine] == ["notify.notice_acknowledged"]
    # The county signs for a village; a system account needs its scope.
    other = copy_name(notice.name, w.villages[1].name)
    assert w.s.AcknowledgeNotice(npb.AcknowledgeNoticeRequest(name=other), metadata=w.admin).acknowledged_by
    third = npb.AcknowledgeNoticeRequest(name=copy_name(notice.name, w.villages[2].name))
    expect(DENIED, w.s.AcknowledgeNotice, third, metadata=w.p.as_("system", [w.code], scopes=["notify.read"]),
           reason="SCOPE_MISSING")
    w.s.AcknowledgeNotice(third, metadata=w.p.as_("system", [w.code], scopes=["notify.write"]))
    # A unit that was not addressed has no copy.
    expect(grpc.StatusCode.NOT_FOUND, w.s.AcknowledgeNotice, npb.AcknowledgeNoticeRequest(
        name=copy_name(notice.name, w.villages[3].name)), metadata=w.admin)


def test_a_report_is_checked_against_the_form(w):
    notice = w.task_list(recipients=[selector(w.town.name, [opb.WORK_STATION])])
    station = w.stations[0]
    name = copy_name(notice.name, station.name)
    md = w.clerk(station)

    def submit(**kwargs):
        return w.s.SubmitReport(npb.SubmitReportRequest(name=name, **kwargs), metadata=md)

    d = expect(INVALID, submit, values=values(meetings=2), field="values.summary")
    assert "工作情况" in d.zh and "summary" in d.zh
    expect(INVALID, submit, values=values(meetings="两次", summary="好"), field="values.meetings")
    expect(INVALID, submit, values=values(meetings=1, summary="好", done_on="2026/12/01"), field="values.done_on")
    expect(INVALID, submit, values=values(meetings=1, summary="好", status="差不多"), field="values.status")
    expect(INVALID, submit, values=values(meetings=1, summary="好", extra="x"), field="values[2].field")
    expect(INVALID, submit, values=values(meetings=1, summary="好"), include_forwarded=True, field="include_forwarded")
    # Full-width digits are the same number (an input method types them).
    got = submit(values=values(meetings="３", summary="召开支委会"))
    assert got.state == npb.Recipient.REPORTED and got.acknowledge_time.seconds > 0
    assert [(v.field, v.value) for v in got.report.values] == [("meetings", "3"), ("summary", "召开支委会")]
    # Replacing a report needs the copy as it was read: a stale etag is refused.
    expect(grpc.StatusCode.ABORTED, submit, values=values(meetings=4, summary="补报"), etag='"1"')
    assert submit(values=values(meetings=4, summary="补报"), etag=got.etag).report.values[0].value == "4"
    kinds = [t for t, _ in outbox(w.p, w.code)]
    assert "notify.report_submitted" in kinds
    no_report = w.send(recipients=[selector(w.town.name, [opb.WORK_STATION])])
    expect(PRECONDITION, w.s.SubmitReport, npb.SubmitReportRequest(
        name=copy_name(no_report.name, station.name), values=values(meetings=1)), metadata=md,
        reason="NO_REPORT_REQUESTED")


def test_status_counts_who_read_acknowledged_reported_and_per_unit(w):
    notice = w.send(recipients=[selector(w.town.name, [opb.VILLAGE])], requires_ack=True, due_time=in_days(1))
    w.s.MarkRead(npb.MarkReadRequest(name=copy_name(notice.name, w.villages[0].name)), metadata=w.clerk(w.villages[0]))
    w.s.AcknowledgeNotice(npb.AcknowledgeNoticeRequest(name=copy_name(notice.name, w.villages[3].name)),
                          metadata=w.clerk(w.villages[3]))
    status = w.status(notice.name)
    c = status.counts
    assert (c.recipients, c.read, c.acknowledged, c.reported, c.overdue) == (5, 2, 1, 0, 0)
    per_unit = {u.display_name: (u.counts.recipients, u.counts.acknowledged) for u in status.unit_counts}
    assert per_unit == {"第一工作站": (3, 0), "第二工作站": (2, 1)}


def test_concurrent_acknowledgements_and_retries_record_once(platform):
    if platform.backend == "sqlite":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): no race to lose")
    from concurrent.futures import ThreadPoolExecutor

    w = NotifyWorld(platform)
    with ThreadPoolExecutor(6) as pool:
        sent = list(pool.map(lambda _: w.send(request_id="same-send", recipients=[
            selector(w.stations[0].name, [opb.VILLAGE])], requires_ack=True), range(6)))
        assert len({n.name for n in sent}) == 1
        request = npb.AcknowledgeNoticeRequest(name=copy_name(sent[0].name, w.villages[0].name))
        md = w.clerk(w.villages[0])
        acked = list(pool.map(lambda _: w.s.AcknowledgeNotice(request, metadata=md), range(6)))
    assert len({r.acknowledge_time.ToJsonString() for r in acked}) == 1
    types = [t for t, _ in outbox(w.p, w.code)]
    assert (types.count("notify.notice_sent"), types.count("notify.notice_acknowledged")) == (1, 1)
