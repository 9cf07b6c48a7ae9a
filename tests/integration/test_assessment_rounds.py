"""Review rounds through gRPC: creation and frozen targets, scoring by stage and role, advancing
with its checks, the audit trail."""

from __future__ import annotations

import grpc
import pytest
from partybuilding.assessment.v1 import assessment_rounds_pb2 as rpb
from partybuilding.organization.v1 import organization_service_pb2 as pb

from services.assessment.domain.scheme import TargetKind
from tests.helpers import expect
from tests.integration.round_county import (
    MASS_VALUES,
    ORGANIZATION_VALUES,
    RoundCounty,
    known_to_assessment,
    outbox_types,
    publish_scheme,
    refusal,
)

INVALID = grpc.StatusCode.INVALID_ARGUMENT
REFUSED = grpc.StatusCode.FAILED_PRECONDITION
DENIED = grpc.StatusCode.PERMISSION_DENIED
MISSING = grpc.StatusCode.NOT_FOUND


@pytest.fixture
def rc(platform):
    return RoundCounty(platform)


def test_a_round_freezes_its_targets_with_their_township(platform, rc):
    made = rc.create(display_name="2026年度评星定级")
    assert (made.period, made.state, made.stage, made.stage_kind) == ("2026", rpb.Round.RUNNING, "TOWNSHIP",
                                                                      rpb.Round.SCORING)
    assert (made.target_count, made.stage_index, made.stage_count, made.scheme_revision) == (3, 0, 5, rc.revision)
    targets = rc.targets(made)
    assert {(x.unit, x.township) for x in targets} == {(v.name, rc.town.name) for v in rc.villages} | {
        (rc.village_b.name, rc.town_b.name)}
    assert all(p.scored == 0 for x in targets for p in x.progress)
    late = rc.county.unit(pb.VILLAGE, "新村", rc.town_b.name)
    known_to_assessment(platform, rc.code, [late])
    assert len(rc.targets(made)) == 3 and rc.get(made).target_count == 3
    assert rc.create(period="2027").target_count == 4  # a new round sees the directory as it is now
    expect(grpc.StatusCode.ALREADY_EXISTS, rc.create, reason="ROUND_EXISTS")  # one 2026 round of the scheme
    assert [e.kind for e in rc.events(made)] == [rpb.RoundEvent.ROUND_CREATED]
    assert "assessment.round_created" in outbox_types(platform, rc.code)


def test_a_scope_limits_the_targets_and_secretaries_are_targets_of_their_own(platform, rc):
    assert rc.create(scope=rc.town.name).target_count == 2
    publish_scheme(platform, rc.code, "lead-goose", target_kind=TargetKind.SECRETARY)
    made = rc.create(scheme_revision=f"{rc.parent}/schemes/lead-goose/revisions/1")
    targets = rc.targets(made)
    assert sorted(x.member for x in targets) == sorted(m.name for m in rc.members)
    assert all(x.display_name.startswith("书记") and "（" in x.display_name for x in targets)


def test_create_round_refusals_name_the_field(platform, rc):
    d = refusal(INVALID, rc.create, period="2026H1", field="period", reason="PERIOD_MISMATCH")
    assert "YYYY" in d.en and "年度" in d.zh
    assert rc.create(period="２０２６").period == "2026"
    expect(INVALID, rc.create, scheme_revision=f"{rc.parent}/schemes/none/revisions/1", field="scheme_revision")
    expect(INVALID, rc.create, scheme_revision=f"{rc.parent}/schemes/stars/revisions/x", field="scheme_revision")
    expect(INVALID, rc.create, scope=f"{rc.parent}/units/u-none", field="scope")
    expect(INVALID, rc.create, display_name="轮次\u202e", field="display_name")
    empty = rc.county.unit(pb.TOWNSHIP, "空镇")
    known_to_assessment(platform, rc.code, [empty])
    expect(REFUSED, rc.create, scope=empty.name, reason="ROUND_WITHOUT_TARGETS")


def test_a_draft_revision_runs_no_round(platform, rc):
    from services.assessment.service_layer import commands, schemes
    from services.common.auth import Principal
    from tests.unit.round_schemes import small_scheme

    schemes.create_scheme(commands.CreateScheme(rc.code, "draft", small_scheme(tenant=rc.code, id="draft")),
                          platform.runtime("assessment").uow_factory, Principal.operator("test"))
    expect(INVALID, rc.create, scheme_revision=f"{rc.parent}/schemes/draft/revisions/1", field="scheme_revision",
           reason="SCHEME_NOT_PUBLISHED")


def test_create_round_retried_with_its_request_id_creates_one(platform, rc):
    first = rc.create(request_id="round-2026")
    assert rc.create(request_id="round-2026").name == first.name
    expect(INVALID, rc.create, period="2025", request_id="round-2026", reason="REQUEST_ID_REUSED")
    listed = rc.s.ListRounds(rpb.ListRoundsRequest(parent=rc.parent), metadata=rc.admin).rounds
    assert [r.name for r in listed] == [first.name]


def test_values_are_judged_against_the_frozen_scheme(platform, rc):
    made = rc.create()
    clerk = rc.clerk(rc.town)
    village = rc.villages[0]
    for mapping, field in [({"MEETINGS": 30.01}, "values[MEETINGS]"), ({"MEETINGS": -1}, "values[MEETINGS]"),
                           ({"ARCHIVE": 0.5}, "values[ARCHIVE]"), ({"VOLUNTEER": -2}, "values[VOLUNTEER]"),
                           ({"VOLUNTEER": 1.5}, "values[VOLUNTEER]"), ({"NOPE": 1}, "values[NOPE]"),
                           ({"MEETINGS": float("nan")}, "values[0].value")]:
        expect(INVALID, rc.score, made, village, "ORGANIZATION", mapping, clerk, field=field)
    expect(INVALID, rc.score, made, village, "ORGANIZATION", {}, clerk, field="values")
    expect(INVALID, rc.score, made, village, "NOBODY", {"MEETINGS": 1}, clerk, field="source")
    expect(REFUSED, rc.score, made, village, "MASS", {"MEETINGS": 1}, clerk, reason="SOURCE_NOT_IN_STAGE")
    expect(MISSING, rc.s.SubmitScores, rpb.SubmitScoresRequest(
        target=f"{made.name}/targets/u-none", source="ORGANIZATION", values=[]), metadata=clerk)
    assert all(not x.values for x in rc.targets(made))  # nothing half-written


def test_a_clerk_scores_inside_their_subtree_only(platform, rc):
    made = rc.create()
    clerk = rc.clerk(rc.town)
    done = rc.score(made, rc.villages[0], "ORGANIZATION", {"MEETINGS": 25.555}, clerk)
    assert [(v.indicator, v.value) for v in done.values] == [("MEETINGS", 25.56)]
    expect(DENIED, rc.score, made, rc.village_b, "ORGANIZATION", {"MEETINGS": 20}, clerk,
           reason="OUTSIDE_CLERK_SUBTREE")
    assert sorted(x.unit for x in rc.targets(made, clerk)) == sorted(v.name for v in rc.villages)
    expect(DENIED, rc.targets, made, clerk, subtree=rc.town_b.name)
    expect(DENIED, rc.score, made, rc.villages[0], "ORGANIZATION", {"MEETINGS": 20}, reason="STAGE_ACTOR_NOT_ALLOWED")


def test_a_resubmission_replaces_and_the_trail_keeps_before_and_after(platform, rc):
    made = rc.create()
    clerk = rc.clerk(rc.town)
    rc.score(made, rc.villages[0], "ORGANIZATION", {"MEETINGS": 20, "ARCHIVE": 1}, clerk)
    again = rc.score(made, rc.villages[0], "ORGANIZATION", {"MEETINGS": 22}, clerk, note="复核更正")
    assert sorted((v.indicator, v.value) for v in again.values) == [("ARCHIVE", 1.0), ("MEETINGS", 22.0)]
    last = rc.events(made, target=rc.target(made, rc.villages[0]))[-1]
    assert last.kind == rpb.RoundEvent.SCORES_SUBMITTED and last.actor_role == "clerk"
    assert dict(last.before["ORGANIZATION"]) == {"MEETINGS": "20.00"}
    assert dict(last.after["ORGANIZATION"]) == {"MEETINGS": "22.00"}


def test_a_submission_retried_with_its_request_id_applies_once(platform, rc):
    made = rc.create()
    clerk = rc.clerk(rc.town)
    for _ in range(2):
        rc.score(made, rc.villages[0], "ORGANIZATION", {"MEETINGS": 20}, clerk, request_id="sheet-1")
    assert len(rc.events(made)) == 2  # created + one submission
    expect(INVALID, rc.score, made, rc.villages[0], "ORGANIZATION", {"MEETINGS": 21}, clerk, request_id="sheet-1",
           reason="REQUEST_ID_REUSED")


def test_leaving_scoring_needs_every_target_scored_and_a_fresh_etag(platform, rc):
    made = rc.create()
    rc.score(made, rc.villages[0], "ORGANIZATION", ORGANIZATION_VALUES, rc.clerk(rc.town))
    d = refusal(REFUSED, rc.advance, made, reason="STAGE_CHECKS_FAILED")
    assert rc.villages[1].name.rsplit("/", 1)[-1] in d.en and rc.village_b.name.rsplit("/", 1)[-1] in d.en
    assert d.metadata["missing_count"] == "2"
    incomplete = rc.targets(made, incomplete_only=True)
    assert sorted(x.unit for x in incomplete) == sorted([rc.villages[1].name, rc.village_b.name])
    rc.score_townships(made)
    stale = made.etag
    moved = rc.advance(made, etag=stale)
    assert (moved.stage, moved.stage_index) == ("MASS", 1) and moved.etag != stale
    expect(grpc.StatusCode.ABORTED, rc.advance, made, etag=stale, reason="ETAG_MISMATCH")
    assert rc.get(made).stage == "MASS"


def test_an_advance_retried_with_its_request_id_moves_once(platform, rc):
    made = rc.create()
    rc.score_townships(made)
    first = rc.advance(made, request_id="advance-1")
    again = rc.advance(made, etag=made.etag, request_id="advance-1")
    assert again.stage == first.stage == "MASS"


def test_a_clerk_never_advances(platform, rc):
    made = rc.create()
    rc.score_townships(made)
    expect(DENIED, rc.advance, made, rc.clerk(rc.town))


def test_the_public_notice_lasts_its_days(platform, rc):
    made = rc.create()
    notice = rc.to_notice(made)
    assert (notice.stage_kind, notice.notice_end_date != "") == (rpb.Round.PUBLIC_NOTICE, True)
    d = refusal(REFUSED, rc.advance, made, reason="STAGE_CHECKS_FAILED")
    assert notice.notice_end_date in d.en and d.metadata["reasons"] == "NOTICE_NOT_OVER"
    rc.notice_began_days_ago(made, 7)
    assert rc.advance(made).stage == "RECHECK"
    types = outbox_types(platform, rc.code)
    assert types.count("assessment.round_advanced") == 4


def test_the_city_writes_in_its_recheck_only(platform, rc):
    made = rc.create()
    city = rc.city()
    rc.to_notice(made)
    expect(DENIED, rc.score, made, rc.villages[0], "MASS", {"MEETINGS": 10}, city, reason="STAGE_ACTOR_NOT_ALLOWED")
    rc.notice_began_days_ago(made, 8)
    rc.advance(made)
    done = rc.score(made, rc.villages[0], "MASS", {"MEETINGS": 10}, city)
    assert ("MASS", "MEETINGS", 10.0) in {(v.source, v.indicator, v.value) for v in done.values}
    expect(DENIED, rc.score, made, rc.villages[0], "MASS", {"MEETINGS": 9}, rc.city("610300"))
    expect(DENIED, rc.create, city)
    finished = rc.advance(made, city)
    assert (finished.state, finished.stage) == (rpb.Round.FINALIZED, "")
    expect(REFUSED, rc.score, made, rc.villages[0], "MASS", {"MEETINGS": 9}, reason="ROUND_FINALIZED")
    kinds = [e.kind for e in rc.events(made)]
    assert kinds.count(rpb.RoundEvent.ROUND_ADVANCED) == 5 and kinds[0] == rpb.RoundEvent.ROUND_CREATED


def test_mass_values_skip_what_the_source_does_not_score(platform, rc):
    made = rc.create()
    rc.score_townships(made)
    rc.advance(made)
    expect(INVALID, rc.score, made, rc.villages[0], "MASS", {**MASS_VALUES, "ARCHIVE": 1}, field="values[ARCHIVE]")


def test_a_scheme_change_never_alters_a_running_round(platform, rc):
    """Revision 2 halves MEETINGS' maximum and drops ARCHIVE; the round made on revision 1 still
    takes revision 1's values and still asks for ARCHIVE."""
    from dataclasses import replace
    from decimal import Decimal

    from services.assessment.service_layer import commands, schemes
    from services.common.auth import Principal
    from tests.unit.round_schemes import small_scheme

    made = rc.create()
    org, dev = small_scheme().dimensions
    meetings = replace(org.indicators[0], max_score=Decimal(15))
    changes = {"dimensions": (replace(org, indicators=(meetings,)), dev)}
    uows, who = rc.p.runtime("assessment").uow_factory, Principal.operator("test")
    schemes.update_scheme(commands.UpdateScheme(rc.code, "stars", changes), uows, who)
    schemes.publish_scheme(commands.PublishScheme(rc.code, "stars"), uows, who)
    done = rc.score(made, rc.villages[0], "ORGANIZATION", {"MEETINGS": 25, "ARCHIVE": 1}, rc.clerk(rc.town))
    assert {(v.indicator, v.value) for v in done.values} == {("MEETINGS", 25), ("ARCHIVE", 1)}
    assert [(p.source, p.required) for p in done.progress] == [("ORGANIZATION", 4), ("MASS", 3)]
    assert rc.get(made).scheme_revision == rc.revision


def test_a_target_of_another_round_is_not_a_target_of_this_one(platform, rc):
    scoped = rc.create(scope=rc.town_b.name)
    county_wide = rc.create(period="2027")
    expect(MISSING, rc.score, scoped, rc.villages[0], "ORGANIZATION", {"MEETINGS": 1}, rc.clerk(rc.town))
    assert rc.score(county_wide, rc.villages[0], "ORGANIZATION", {"MEETINGS": 1}, rc.clerk(rc.town)).values
