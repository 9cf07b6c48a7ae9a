"""A finalized assessment round reaches the organization (issue 9): star level and 软弱涣散
follow the result, every judged unit's history names the round, each unit change is a
unit_updated event for the directories, and a redelivered event changes nothing twice."""

from __future__ import annotations

import uuid

from google.protobuf import json_format
from partybuilding.assessment.v1 import assessment_events_pb2 as aev
from partybuilding.common.v1.events_pb2 import EventEnvelope
from partybuilding.organization.v1 import organization_service_pb2 as pb

from services.common.events.envelope import to_wire
from services.common.events.registry import consumer_for
from tests.helpers import County
from tests.integration.test_outbox import types

ROUND = "tenants/{code}/rounds/r-2026"


def finalized(code: str, results: list[aev.TargetResult], **flags) -> EventEnvelope:
    flags.setdefault("sets_star_level", True)
    flags.setdefault("decides_weak_and_lax", True)
    event = aev.ResultsFinalizedEvent(round=ROUND.format(code=code), round_display_name="2026年度评星定级",
                                      scheme=f"tenants/{code}/schemes/star-rating/revisions/1", period="2026",
                                      batch=1, batches=1, results=results, **flags)
    env = EventEnvelope(event_id=str(uuid.uuid4()), type="assessment.results_finalized", tenant=code,
                        producer="assessment", schema_version=1, sequence=1)
    env.payload.update(json_format.MessageToDict(event, preserving_proto_field_name=True))
    return env


def history(c: County, unit: str) -> list[pb.UnitHistoryEntry]:
    return list(c.s.ListUnitHistory(pb.ListUnitHistoryRequest(name=unit, page_size=100), metadata=c.admin).entries)


def test_star_level_and_weak_flag_follow_the_result_and_the_history_names_the_round(platform):
    c = County(platform)
    _, _, (strong, weak, same) = c.tree(3)
    c.s.UpdateUnit(pb.UpdateUnitRequest(unit=pb.Unit(name=same.name, star_level=3, etag=same.etag),
                                        update_mask={"paths": ["star_level"]}), metadata=c.admin)
    consumer = consumer_for(platform.runtime("organization"))
    env = finalized(c.code, [
        aev.TargetResult(unit=strong.name, grade="FIVE_STAR", grade_display_name="五星", stars=5, rank=1),
        aev.TargetResult(unit=weak.name, grade="TWO_STAR", grade_display_name="二星", stars=2, weak=True, rank=3),
        aev.TargetResult(unit=same.name, grade="THREE_STAR", grade_display_name="三星", stars=3, rank=2),
    ])
    before = types(platform, c.code).count("organization.unit_updated")
    assert consumer.deliver(to_wire(env)) == "applied"

    got = {u.name: u for u in c.units()}
    assert got[strong.name].star_level == 5 and not got[strong.name].weak_and_lax
    assert got[weak.name].star_level == 2 and got[weak.name].weak_and_lax
    assert got[same.name].star_level == 3
    # Two units changed, so two unit_updated events; the unchanged one still has the round in its history.
    assert types(platform, c.code).count("organization.unit_updated") == before + 2
    for unit in (strong, weak, same):
        assessed = [h for h in history(c, unit.name) if h.kind == "ASSESSED"]
        assert len(assessed) == 1 and ROUND.format(code=c.code) in assessed[0].detail
        assert "2026年度评星定级" in assessed[0].detail and assessed[0].actor == "assessment"
    assert "软弱涣散" in [h for h in history(c, weak.name) if h.kind == "ASSESSED"][0].detail

    assert consumer.deliver(to_wire(env)) == "duplicate"  # redelivered: nothing applied twice
    assert len([h for h in history(c, weak.name) if h.kind == "ASSESSED"]) == 1


def test_a_later_round_clears_the_flag_and_other_counties_and_secretaries_are_left_alone(platform):
    c, other = County(platform), County(platform)
    _, _, (village,) = c.tree(1)
    _, _, (foreign,) = other.tree(1)
    consumer = consumer_for(platform.runtime("organization"))
    consumer.deliver(to_wire(finalized(c.code, [aev.TargetResult(unit=village.name, grade_display_name="二星",
                                                                 stars=2, weak=True)])))
    assert c.units(types=[pb.VILLAGE])[0].weak_and_lax
    later = finalized(c.code, [
        aev.TargetResult(unit=village.name, grade_display_name="四星", stars=4),
        aev.TargetResult(unit=foreign.name, grade_display_name="一星", stars=1, weak=True),
        aev.TargetResult(unit=village.name, member=f"tenants/{c.code}/members/m-1", grade_display_name="优秀"),
    ])
    assert consumer.deliver(to_wire(later)) == "applied"
    mine = c.units(types=[pb.VILLAGE])[0]
    assert mine.star_level == 4 and not mine.weak_and_lax
    theirs = other.units(types=[pb.VILLAGE])[0]
    assert theirs.star_level == 0 and not theirs.weak_and_lax and theirs.etag == foreign.etag
    assert len([h for h in history(c, village.name) if h.kind == "ASSESSED"]) == 2


def test_a_scheme_that_decides_neither_only_records_the_round(platform):
    c = County(platform)
    _, _, (village,) = c.tree(1)
    consumer = consumer_for(platform.runtime("organization"))
    env = finalized(c.code, [aev.TargetResult(unit=village.name, grade_display_name="先进", stars=0, weak=True)],
                    sets_star_level=False, decides_weak_and_lax=False)
    assert consumer.deliver(to_wire(env)) == "applied"
    unit = c.units(types=[pb.VILLAGE])[0]
    assert unit.etag == village.etag and not unit.weak_and_lax
    assert [h.kind for h in history(c, village.name)].count("ASSESSED") == 1
