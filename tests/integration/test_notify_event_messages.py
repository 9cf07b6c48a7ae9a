"""Events become inbox messages (service_layer/event_messages.py), read through gRPC, on SQLite and
PostgreSQL: who each event reaches, at most once per recipient and channel however often it is
delivered, a poison event parked instead of looping, and the inbox of messages itself."""

from __future__ import annotations

import grpc
import pytest
from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb
from partybuilding.assessment.v1 import assessment_events_pb2 as aev
from partybuilding.notify.v1 import notify_inbox_messages_pb2 as ipb
from partybuilding.notify.v1 import notify_templates_pb2 as tpb
from partybuilding.organization.v1 import organization_service_pb2 as opb
from partybuilding.points.v1 import points_events_pb2 as pev
from sqlalchemy import func, select

from services.common.events.consumer import list_dead_letters
from services.notify.adapters import tables
from tests.helpers import expect
from tests.integration.notify_event_feed import deliver, envelope, inbox, term_expiring
from tests.integration.notify_world import NotifyWorld


class EventWorld(NotifyWorld):
    """NotifyWorld with a member in 村0, a chief of 第一工作站, and the directory resynced."""

    def __init__(self, platform):
        super().__init__(platform)
        c = self.county
        self.member = c.member(self.villages[0].name, "党员甲")
        self.chief = c.member(self.stations[0].name, "站长乙")
        c.post(opb.STATION_CHIEF, self.stations[0].name, self.chief.name)
        self.resync()

    def crossed(self, member=None, balance: int = 5, event_id: str = ""):
        member = member or self.member
        return envelope(self.code, "points.threshold_crossed", pev.ThresholdCrossedEvent(
            member=member.name, unit=self.villages[0].name, threshold_code="REMINDER_TALK",
            threshold_name_zh="提醒谈话", threshold_name_en="Reminder talk", year=2026, balance=balance,
            entry=f"tenants/{self.code}/entries/e-1", status="REMINDER_TALK"), event_id)

    def inbox_of(self, ref: str, **fields) -> ipb.ListInboxMessagesResponse:
        return inbox(self.p, ref, self.admin, **fields)

    def bodies(self, ref: str) -> list[str]:
        return [m.body for m in self.inbox_of(ref, page_size=100).messages]

    def sms_of(self, event_id: str) -> set[str]:
        """The members an event's SMS messages are addressed to (by id; no phone is stored)."""
        with self.p.runtime("notify").uow_factory(self.code, write=False) as uow:
            m = tables.messages
            rows = uow.conn.execute(select(m.c.recipient_id, m.c.address, m.c.body).where(
                m.c.tenant == self.code, m.c.source_key == event_id, m.c.channel == "SMS")).all()
        assert all(row.body.startswith("【党建积分】") for row in rows)
        return {row.recipient_id for row in rows}

    def message_count(self) -> int:
        with self.p.runtime("notify").uow_factory(self.code, write=False) as uow:
            m = tables.messages
            return uow.conn.execute(select(func.count()).select_from(m).where(m.c.tenant == self.code)).scalar()


@pytest.fixture(scope="module")
def w(platform) -> EventWorld:
    return EventWorld(platform)


def test_a_threshold_crossing_reaches_the_member_the_branch_secretary_and_the_unit_once(w):
    before = w.message_count()
    env = w.crossed()
    assert deliver(w.p, env) == "applied"
    for ref in (w.member.name, w.secretaries[0].name, w.villages[0].name):
        [body] = [b for b in w.bodies(ref) if "党员甲" in b]
        assert "2026年度积分为5分" in body and "提醒谈话" in body and "村0" in body
    # Three inbox messages, and a text to each member (queued: the phone is read at delivery).
    assert w.sms_of(env.event_id) == {w.member.name.rsplit("/", 1)[-1], w.secretaries[0].name.rsplit("/", 1)[-1]}
    assert w.message_count() == before + 5
    assert deliver(w.p, env) == "duplicate"
    assert w.message_count() == before + 5


def test_a_problem_overdue_reaches_its_owner_the_unit_the_station_and_its_chief(w):
    env = envelope(w.code, "assessment.problem_overdue", aev.ProblemOverdueEvent(
        problem=f"tenants/{w.code}/cases/c-1/problems/1", case=f"tenants/{w.code}/cases/c-1",
        unit=w.villages[1].name, description="“三会一课”记录不全", deadline="2026-11-30", days_overdue=4,
        owner=cpb.Owner(display_name="村1书记", member=w.secretaries[1].name)))
    assert deliver(w.p, env) == "applied"
    for ref in (w.secretaries[1].name, w.villages[1].name, w.stations[0].name, w.chief.name):
        assert any("已逾期4天" in b for b in w.bodies(ref)), ref
    assert not any("三会一课" in b for b in w.bodies(w.stations[1].name))


@pytest.mark.parametrize("event_type, payload, says", [
    ("assessment.reminder_letter_due", lambda w: aev.ReminderLetterDueEvent(
        unit=w.villages[2].name, display_name="村2", total=58.5, rank=18, target_count=18), "提醒函"),
    ("assessment.target_commended", lambda w: aev.TargetCommendedEvent(
        unit=w.villages[2].name, display_name="村2", grade_display_name="五星", total=96, rank=1), "通报表扬"),
    ("assessment.admonishing_talk_due", lambda w: aev.AdmonishingTalkDueEvent(
        unit=w.villages[2].name, display_name="村2", consecutive_last_places=2), "诫勉谈话"),
    ("assessment.case_opened", lambda w: aev.CaseOpenedEvent(case=cpb.Case(
        unit=w.villages[2].name, unit_display_name="村2", title="整改", next_supervision_date="2026-12-20",
        problems=[cpb.Problem(description="记录不全", owner=cpb.Owner(member=w.secretaries[2].name))])), "整改台账"),
    ("assessment.case_supervision_due", lambda w: aev.CaseSupervisionDueEvent(
        unit=w.villages[2].name, title="整改", supervision_date="2026-12-05", next_supervision_date="2026-12-20",
        open_problems=2, overdue_problems=1), "督办日期"),
])
def test_each_assessment_rule_becomes_a_message_in_the_judged_units_inbox(w, event_type, payload, says):
    assert deliver(w.p, envelope(w.code, event_type, payload(w))) == "applied"
    assert any(says in b and "村2" in b for b in w.bodies(w.villages[2].name))


def test_a_round_entering_public_notice_tells_each_judged_unit_and_other_stages_tell_nobody(w):
    before = w.message_count()
    scoring = aev.RoundAdvancedEvent(round=f"tenants/{w.code}/rounds/r-1", to_stage_kind="REVIEW",
                                     round_display_name="2026年度评星定级")
    assert deliver(w.p, envelope(w.code, "assessment.round_advanced", scoring)) == "applied"
    assert w.message_count() == before
    notice = aev.RoundAdvancedEvent(round=f"tenants/{w.code}/rounds/r-1", to_stage_kind="PUBLIC_NOTICE",
                                    notice_end_date="2026-12-12", round_display_name="2026年度评星定级",
                                    target_units=[w.villages[3].name, w.villages[4].name, w.villages[3].name])
    assert deliver(w.p, envelope(w.code, "assessment.round_advanced", notice)) == "applied"
    assert w.message_count() == before + 2
    assert any("公示至2026-12-12" in b and "村4" in b for b in w.bodies(w.villages[4].name))


def test_a_post_term_expiring_reaches_the_holder_the_unit_and_the_unit_above(w):
    term_expiring(w.p, w.code, w.villages[3], w.secretaries[3], days_left=21)
    for ref in (w.secretaries[3].name, w.villages[3].name, w.stations[1].name):
        assert any("还有21天" in b for b in w.bodies(ref)), ref


def test_a_poison_event_is_parked_not_retried_forever(w):
    env = w.crossed()
    env.payload["year"] = "not a year"
    assert deliver(w.p, env) == "parked"
    parked = [d for d in list_dead_letters(w.p.runtime("notify").engine, "notify") if d.event_id == env.event_id]
    assert parked and "ThresholdCrossedEvent" in parked[0].reason


def test_the_countys_own_template_speaks_for_the_next_event(w):
    w.s.PutTemplate(tpb.PutTemplateRequest(parent=w.parent, template=tpb.Template(
        event_type="points.threshold_crossed", channel="INBOX", subject="请谈话：{{ member_name }}",
        body="县定制：{{ member_name }}积分{{ balance }}")), metadata=w.admin)
    try:
        assert deliver(w.p, w.crossed(balance=4)) == "applied"
        assert "县定制：党员甲积分4" in w.bodies(w.member.name)
    finally:
        w.s.DeleteTemplate(tpb.DeleteTemplateRequest(
            name=f"tenants/{w.code}/templates/points.threshold_crossed.INBOX.zh-CN"), metadata=w.admin)


def test_the_inbox_lists_unread_first_then_newest_pages_and_counts(w):
    unit = w.villages[1]
    for days in (10, 20, 30):
        term_expiring(w.p, w.code, unit, days_left=days)
    first = w.inbox_of(unit.name, page_size=2)
    assert first.total_size >= 3 and first.unread_count == first.total_size and first.next_page_token
    oldest = w.inbox_of(unit.name, page_size=100).messages[-1]
    read = w.s.MarkMessageRead(ipb.MarkMessageReadRequest(name=oldest.name, etag=oldest.etag),
                               metadata=w.clerk(unit))
    assert read.read_time.seconds
    again = w.s.MarkMessageRead(ipb.MarkMessageReadRequest(name=oldest.name, etag=oldest.etag),
                                metadata=w.clerk(unit))
    assert again.read_time == read.read_time  # idempotent: read once
    listed = w.inbox_of(unit.name, page_size=100)
    assert listed.unread_count == listed.total_size - 1 and listed.messages[0].read_time.seconds == 0
    assert listed.messages[-1].name == oldest.name  # the read one after every unread one
    created = [m.create_time.ToDatetime() for m in listed.messages[:-1]]
    assert created == sorted(created, reverse=True)
    pages, token = [], ""
    while True:
        page = w.inbox_of(unit.name, page_size=2, page_token=token)
        pages += [m.name for m in page.messages]
        token = page.next_page_token
        if not token:
            break
    assert pages == [m.name for m in listed.messages]
    assert [m.name for m in w.inbox_of(unit.name, unread_only=True).messages] == pages[:-1]


def test_reading_checks_the_etag_the_clerk_and_the_channel(w):
    unit = w.villages[4]
    term_expiring(w.p, w.code, unit, days_left=3)
    msg = w.inbox_of(unit.name).messages[0]
    expect(grpc.StatusCode.ABORTED, w.s.MarkMessageRead, ipb.MarkMessageReadRequest(name=msg.name, etag='"99"'),
           metadata=w.clerk(unit), reason="ETAG_MISMATCH")
    expect(grpc.StatusCode.PERMISSION_DENIED, w.s.MarkMessageRead, ipb.MarkMessageReadRequest(name=msg.name),
           metadata=w.clerk(w.villages[3]), reason="NOT_OWN_UNIT")
    expect(grpc.StatusCode.NOT_FOUND, w.s.MarkMessageRead, ipb.MarkMessageReadRequest(
        name=f"tenants/{w.code}/messages/msg-nope"), metadata=w.admin)


def test_a_members_inbox_is_the_countys_to_read_a_clerk_reads_the_units(w):
    assert w.inbox_of(w.member.name).total_size >= 1
    expect(grpc.StatusCode.PERMISSION_DENIED, inbox, w.p, w.member.name, w.clerk(w.villages[0]),
           reason="MEMBER_INBOX")
    assert inbox(w.p, w.villages[0].name, w.clerk(w.villages[0])).total_size >= 1
    expect(grpc.StatusCode.NOT_FOUND, inbox, w.p, f"tenants/{w.code}/members/m-nobody", w.admin)
    expect(grpc.StatusCode.INVALID_ARGUMENT, inbox, w.p, f"tenants/{w.code}/posts/p-1", w.admin, field="parent")
