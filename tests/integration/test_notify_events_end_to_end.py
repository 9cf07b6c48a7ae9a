"""A real points threshold crossing and a real assessment round, from their gRPC calls to the
inbox of messages: each producer's outbox rows are handed to notify's consumer as the embedded
bus hands them (services/common/events/embedded.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from partybuilding.notify.v1 import notify_service_pb2 as nspb
from partybuilding.organization.v1 import organization_service_pb2 as opb
from sqlalchemy import MetaData, select

from services.common.events.envelope import envelope_from_outbox, to_wire
from services.common.events.registry import consumer_for
from services.common.tables import add_common_tables
from services.notify.entrypoints.event_handlers import HANDLERS
from tests.integration.ledger_setup import LedgerCounty
from tests.integration.notify_event_feed import inbox
from tests.integration.results_county import ResultsCounty


def relay_to_notify(platform, producer: str, code: str) -> dict[str, int]:
    """Every event of `producer` for `code` that notify subscribes to, delivered once; outcomes counted."""
    outbox = add_common_tables(MetaData())["outbox"]
    wanted = sorted(t for p, t in HANDLERS if p == producer)
    with platform.runtime(producer).engine.connect() as conn:
        rows = conn.execute(select(outbox).where(outbox.c.tenant == code, outbox.c.type.in_(wanted))
                            .order_by(outbox.c.seq)).all()
    consumer, outcomes = consumer_for(platform.runtime("notify")), {}
    for row in rows:
        outcome = consumer.deliver(to_wire(envelope_from_outbox(row)))
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def resync_notify(platform, c) -> None:
    platform.notify.ResyncDirectory(nspb.ResyncDirectoryRequest(parent=c.parent), metadata=platform.operator())


def test_a_recorded_deduction_crossing_a_threshold_reaches_the_member_and_the_secretary(platform):
    c = LedgerCounty(platform)
    member, secretary = c.members[0], c.members[1]
    c.post(opb.SECRETARY, c.villages[0].name, secretary.name)
    resync_notify(platform, c)
    for _ in range(3):  # 12 - 3 x 3 = 3: below 6, 提醒谈话
        c.record(member.name, "LATE")
    assert c.events("points.threshold_crossed")
    assert relay_to_notify(platform, "points", c.code) == {"applied": 1}
    for ref in (member.name, secretary.name, c.villages[0].name):
        [msg] = inbox(platform, ref, c.admin).messages
        assert msg.source_type == "points.threshold_crossed" and "甲" in msg.body and "提醒谈话" in msg.body
        assert "积分为3分" in msg.body
    # The bus delivering the same rows again (a relay crash before mark-sent) adds nothing.
    assert relay_to_notify(platform, "points", c.code) == {"duplicate": 1}
    assert inbox(platform, c.villages[0].name, c.admin).total_size == 1


def test_a_finalized_round_tells_each_judged_village_of_its_notice_and_its_result(platform):
    r = ResultsCounty(platform)
    r.finalize()
    resync_notify(platform, r.county)
    outcomes = relay_to_notify(platform, "assessment", r.code)
    assert outcomes.get("applied") and set(outcomes) == {"applied"}
    for village in r.all_villages:
        bodies = [m.body for m in inbox(platform, village.name, r.admin, page_size=100).messages]
        assert any("已进入公示期" in b for b in bodies), village.display_name
    strong = [m.body for m in inbox(platform, r.strong.name, r.admin).messages]
    assert any("通报表扬" in b and "五星" in b for b in strong)
    weak = [m.subject for m in inbox(platform, r.weak.name, r.admin).messages]
    assert any("整改台账" in s for s in weak)
