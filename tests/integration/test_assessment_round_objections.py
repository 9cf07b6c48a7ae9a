"""Negative items, objections during the public notice, and every rounds RPC refusing another county."""

from __future__ import annotations

import grpc
import pytest
from partybuilding.assessment.v1 import assessment_rounds_pb2 as rpb

from tests.helpers import expect
from tests.integration.round_county import RoundCounty, outbox_types, refusal, values

INVALID = grpc.StatusCode.INVALID_ARGUMENT
REFUSED = grpc.StatusCode.FAILED_PRECONDITION
DENIED = grpc.StatusCode.PERMISSION_DENIED


@pytest.fixture
def rc(platform):
    return RoundCounty(platform)


def record(rc, made, village, md=None, **fields):
    fields.setdefault("code", "CORRUPTION")
    fields.setdefault("evidence", "县纪委处分决定书〔2026〕3号")
    return rc.s.RecordNegativeItem(rpb.RecordNegativeItemRequest(target=rc.target(made, village), **fields),
                                   metadata=md or rc.admin)


def withdraw(rc, made, village, md=None, **fields):
    fields.setdefault("code", "CORRUPTION")
    fields.setdefault("reason", "复核撤销")
    return rc.s.WithdrawNegativeItem(rpb.WithdrawNegativeItemRequest(target=rc.target(made, village), **fields),
                                     metadata=md or rc.admin)


def file(rc, made, village, md=None, **fields):
    fields.setdefault("reason", "群众反映得分偏低")
    return rc.s.FileObjection(rpb.FileObjectionRequest(target=rc.target(made, village), **fields),
                              metadata=md or rc.admin)


def resolve(rc, objection, md=None, **fields):
    fields.setdefault("decision", rpb.Objection.UPHELD)
    fields.setdefault("note", "经核实，异议成立")
    return rc.s.ResolveObjection(rpb.ResolveObjectionRequest(name=objection.name, **fields), metadata=md or rc.admin)


def test_negative_items_are_recorded_with_evidence_and_withdrawn(platform, rc):
    made = rc.create()
    clerk = rc.clerk(rc.town)
    done = record(rc, made, rc.villages[0], clerk)
    assert (done.code, done.display_name, done.withdrawn) == ("CORRUPTION", "违纪", False)
    expect(grpc.StatusCode.ALREADY_EXISTS, record, rc, made, rc.villages[0], clerk, reason="NEGATIVE_ITEM_RECORDED")
    expect(INVALID, lambda: record(rc, made, rc.villages[0], clerk, code="NOPE"), field="code")
    expect(INVALID, record, rc, made, rc.villages[1], clerk, evidence="", field="evidence")
    expect(DENIED, record, rc, made, rc.village_b, clerk)
    gone = withdraw(rc, made, rc.villages[0], clerk)
    assert (gone.withdrawn, gone.withdraw_reason) == (True, "复核撤销")
    expect(grpc.StatusCode.NOT_FOUND, withdraw, rc, made, rc.villages[0], clerk)
    expect(INVALID, lambda: withdraw(rc, made, rc.villages[0], clerk, reason=""), field="reason")
    listed = next(x for x in rc.targets(made) if x.unit == rc.villages[0].name)
    assert [(n.code, n.withdrawn) for n in listed.negative_items] == [("CORRUPTION", True)]
    kinds = [e.kind for e in rc.events(made)]
    assert kinds[-2:] == [rpb.RoundEvent.NEGATIVE_ITEM_RECORDED, rpb.RoundEvent.NEGATIVE_ITEM_WITHDRAWN]


def test_objections_only_during_public_notice_and_they_hold_it(platform, rc):
    made = rc.create()
    expect(REFUSED, file, rc, made, rc.villages[0], reason="NOT_IN_PUBLIC_NOTICE")
    rc.to_notice(made)
    objection = file(rc, made, rc.villages[0], rc.clerk(rc.town), request_id="obj-1")
    assert file(rc, made, rc.villages[0], rc.clerk(rc.town), request_id="obj-1").name == objection.name
    expect(DENIED, file, rc, made, rc.village_b, rc.clerk(rc.town))
    expect(INVALID, lambda: file(rc, made, rc.villages[0], reason=""), field="reason")
    assert rc.get(made).open_objection_count == 1
    rc.notice_began_days_ago(made, 8)
    d = refusal(REFUSED, rc.advance, made, reason="STAGE_CHECKS_FAILED")
    assert objection.name.rsplit("/", 1)[-1] in d.en and d.metadata["reasons"] == "OBJECTION_OPEN"
    rejected = resolve(rc, objection, decision=rpb.Objection.REJECTED, note="经核实，不成立")
    assert (rejected.state, rejected.resolved_by != "") == (rpb.Objection.REJECTED, True)
    expect(REFUSED, resolve, rc, objection, etag=rejected.etag, reason="OBJECTION_RESOLVED")
    assert rc.advance(made).stage == "RECHECK"
    assert {"assessment.objection_filed", "assessment.objection_resolved"} <= set(outbox_types(platform, rc.code))


def test_an_upheld_objection_adjusts_through_the_same_validation(platform, rc):
    made = rc.create()
    rc.to_notice(made)
    objection = file(rc, made, rc.villages[0])
    bad = rpb.ScoreAdjustment(source="ORGANIZATION", values=values({"MEETINGS": 31}))
    expect(INVALID, resolve, rc, objection, adjustment=bad, field="adjustment.values[MEETINGS]")
    expect(INVALID, resolve, rc, objection, decision=rpb.Objection.REJECTED,
           adjustment=rpb.ScoreAdjustment(source="ORGANIZATION", values=values({"MEETINGS": 28})), field="adjustment")
    expect(INVALID, resolve, rc, objection, decision=rpb.Objection.OPEN, field="decision")
    expect(grpc.StatusCode.ABORTED, resolve, rc, objection, etag='"9"')
    expect(DENIED, resolve, rc, objection, rc.clerk(rc.town))
    done = resolve(rc, objection, adjustment=rpb.ScoreAdjustment(source="ORGANIZATION",
                                                                  values=values({"MEETINGS": 28})))
    assert done.state == rpb.Objection.UPHELD and done.adjustment.values[0].value == 28.0
    target = next(x for x in rc.targets(made) if x.unit == rc.villages[0].name)
    assert ("ORGANIZATION", "MEETINGS", 28.0) in {(v.source, v.indicator, v.value) for v in target.values}
    trail = rc.events(made, target=rc.target(made, rc.villages[0]))
    assert [e.kind for e in trail[-2:]] == [rpb.RoundEvent.OBJECTION_RESOLVED, rpb.RoundEvent.SCORES_SUBMITTED]
    assert dict(trail[-1].before["ORGANIZATION"]) == {"MEETINGS": "25.00"}
    listed = rc.s.ListObjections(rpb.ListObjectionsRequest(parent=made.name, state=rpb.Objection.UPHELD),
                                 metadata=rc.admin).objections
    assert [o.name for o in listed] == [objection.name]


def test_every_rounds_rpc_refuses_another_county(platform, rc):
    made = rc.create()
    objection_name = f"{made.name}/objections/o-1"
    target = rc.target(made, rc.villages[0])
    other = platform.as_("county_admin", [platform.new_county()])
    calls = [
        ("CreateRound", rpb.CreateRoundRequest(parent=rc.parent, scheme_revision=rc.revision, period="2026")),
        ("GetRound", rpb.GetRoundRequest(name=made.name)),
        ("ListRounds", rpb.ListRoundsRequest(parent=rc.parent)),
        ("ListRoundTargets", rpb.ListRoundTargetsRequest(parent=made.name)),
        ("SubmitScores", rpb.SubmitScoresRequest(target=target, source="ORGANIZATION", values=values({"ARCHIVE": 1}))),
        ("RecordNegativeItem", rpb.RecordNegativeItemRequest(target=target, code="CORRUPTION", evidence="x")),
        ("WithdrawNegativeItem", rpb.WithdrawNegativeItemRequest(target=target, code="CORRUPTION", reason="x")),
        ("AdvanceRound", rpb.AdvanceRoundRequest(name=made.name)),
        ("FileObjection", rpb.FileObjectionRequest(target=target, reason="x")),
        ("ResolveObjection", rpb.ResolveObjectionRequest(name=objection_name, decision=rpb.Objection.REJECTED,
                                                         note="x")),
        ("ListObjections", rpb.ListObjectionsRequest(parent=made.name)),
        ("ListRoundEvents", rpb.ListRoundEventsRequest(parent=made.name)),
    ]
    for method, request in calls:
        d = refusal(DENIED, getattr(rc.s, method), request, metadata=other)
        assert "TENANT" in d.reason or "METHOD" in d.reason, method
    assert rc.get(made).stage == "TOWNSHIP" and len(rc.events(made)) == 1


def test_a_replayed_request_id_answers_only_a_caller_who_may_see_the_target(platform, rc):
    made = rc.create()
    first = record(rc, made, rc.villages[0], rc.clerk(rc.town), request_id="neg-1")
    again = record(rc, made, rc.villages[0], rc.clerk(rc.town), request_id="neg-1")
    assert (again.code, again.record_time) == (first.code, first.record_time)
    other_township = rc.p.as_("clerk", [rc.code], unit=rc.town_b.name)
    expect(DENIED, record, rc, made, rc.villages[0], other_township, request_id="neg-1")
    full_width = made.name.rsplit("/", 1)[0] + "/" + made.name.rsplit("/", 1)[1].translate(
        str.maketrans("0123456789", "０１２３４５６７８９"))
    assert rc.s.GetRound(rpb.GetRoundRequest(name=full_width), metadata=rc.admin).name == made.name


def test_a_clerk_counts_the_open_objections_of_their_own_subtree(platform, rc):
    made = rc.create()
    rc.to_notice(made)
    file(rc, made, rc.villages[0], rc.clerk(rc.town))
    file(rc, made, rc.village_b)
    assert rc.get(made).open_objection_count == 2
    for md, count in ((rc.clerk(rc.town), 1), (rc.clerk(rc.town_b), 1), (rc.clerk(rc.villages[1]), 0)):
        assert rc.s.GetRound(rpb.GetRoundRequest(name=made.name), metadata=md).open_objection_count == count
        listed = rc.s.ListRounds(rpb.ListRoundsRequest(parent=rc.parent), metadata=md).rounds
        assert [r.open_objection_count for r in listed if r.name == made.name] == [count]
