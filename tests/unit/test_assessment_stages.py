"""The stage machine: what each stage allows and what leaving it needs."""

import datetime as dt

import pytest

from services.assessment.domain.scheme import Actor, Stage, StageKind
from services.assessment.domain.stages import (
    RoundFacts,
    Scored,
    check_actor,
    check_may_advance,
    check_negative_items_allowed,
    check_objections_allowed,
    check_source,
    leaving_checks,
    listed_targets,
    notice_ends_on,
    refuse_advance,
    sources_of,
)
from services.common.errors import FailedPrecondition, PermissionDenied
from tests.unit.round_schemes import small_scheme

SCHEME = small_scheme()
TOWNSHIP, MASS, REVIEW, NOTICE, RECHECK = SCHEME.stages
START = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
ORG_INDICATORS = ("MEETINGS", "ARCHIVE", "INCOME", "VOLUNTEER")
MASS_INDICATORS = ("MEETINGS", "INCOME", "VOLUNTEER")  # ARCHIVE is scored by ORGANIZATION only


def scored(targets, source, codes):
    return {(t, source, code) for t in targets for code in codes}


def facts(**changes):
    base = dict(target_ids=("v-1", "v-2"), scored=frozenset(), open_objections=(), stage_started_at=START,
                now=START, tz_name="Asia/Shanghai")
    base.update(changes)
    base["scored"] = Scored.of(base["scored"])
    return RoundFacts(**base)


def test_a_scoring_stage_takes_its_own_sources_only():
    assert sources_of(SCHEME, TOWNSHIP) == ("ORGANIZATION",)
    check_source(SCHEME, TOWNSHIP, "ORGANIZATION")
    with pytest.raises(FailedPrecondition) as caught:
        check_source(SCHEME, TOWNSHIP, "MASS")
    assert caught.value.reason == "SOURCE_NOT_IN_STAGE" and "ORGANIZATION" in caught.value.en


def test_review_and_recheck_adjust_any_source_and_notice_takes_none():
    assert sources_of(SCHEME, REVIEW) == sources_of(SCHEME, RECHECK) == ("ORGANIZATION", "MASS")
    with pytest.raises(FailedPrecondition) as caught:
        check_source(SCHEME, NOTICE, "MASS")
    assert caught.value.reason == "STAGE_TAKES_NO_SCORES"
    with pytest.raises(FailedPrecondition):
        check_negative_items_allowed(NOTICE)
    check_negative_items_allowed(REVIEW)


def test_a_scoring_stage_naming_no_source_takes_every_source():
    open_stage = Stage("ALL", "评分", "Scoring", StageKind.SCORING, (Actor.COUNTY,))
    assert sources_of(SCHEME, open_stage) == ("ORGANIZATION", "MASS")


def test_only_the_stage_actors_write():
    check_actor(TOWNSHIP, Actor.CLERK, "评分", "submit scores")
    with pytest.raises(PermissionDenied) as caught:
        check_actor(TOWNSHIP, Actor.COUNTY, "评分", "submit scores")
    assert caught.value.reason == "STAGE_ACTOR_NOT_ALLOWED" and "CLERK" in caught.value.en
    with pytest.raises(PermissionDenied):
        check_actor(REVIEW, Actor.CITY, "评分", "submit scores")
    check_actor(RECHECK, Actor.CITY, "评分", "submit scores")


def test_the_county_always_advances_the_city_in_its_stage_a_clerk_never():
    for stage in SCHEME.stages:
        check_may_advance(stage, Actor.COUNTY)
        with pytest.raises(PermissionDenied):
            check_may_advance(stage, Actor.CLERK)
    check_may_advance(RECHECK, Actor.CITY)
    with pytest.raises(PermissionDenied):
        check_may_advance(REVIEW, Actor.CITY)


def test_objections_only_during_public_notice():
    check_objections_allowed(NOTICE)
    for stage in (TOWNSHIP, MASS, REVIEW, RECHECK):
        with pytest.raises(FailedPrecondition) as caught:
            check_objections_allowed(stage)
        assert caught.value.reason == "NOT_IN_PUBLIC_NOTICE"


def test_leaving_scoring_names_each_target_and_source_with_gaps():
    partial = scored(["v-1"], "ORGANIZATION", ORG_INDICATORS) | scored(["v-2"], "ORGANIZATION", ["MEETINGS"])
    missing = leaving_checks(SCHEME, 0, facts(scored=frozenset(partial)))
    assert [(m.reason, m.subject) for m in missing] == [("SCORES_MISSING", "v-2")]
    assert missing[0].en == "v-2: ORGANIZATION lacks ARCHIVE, INCOME, VOLUNTEER"
    complete = scored(["v-1", "v-2"], "ORGANIZATION", ORG_INDICATORS)
    assert leaving_checks(SCHEME, 0, facts(scored=frozenset(complete))) == []


def test_leaving_the_stage_before_the_notice_needs_every_source():
    organization_only = scored(["v-1", "v-2"], "ORGANIZATION", ORG_INDICATORS)
    missing = leaving_checks(SCHEME, 2, facts(scored=frozenset(organization_only)))
    assert {m.subject for m in missing} == {"v-1", "v-2"}
    assert all(m.en.endswith("MASS lacks MEETINGS, INCOME, VOLUNTEER") for m in missing)
    everything = organization_only | scored(["v-1", "v-2"], "MASS", MASS_INDICATORS)
    assert leaving_checks(SCHEME, 2, facts(scored=frozenset(everything))) == []


def test_the_notice_lasts_its_calendar_days_in_the_county_zone():
    assert notice_ends_on(NOTICE, START, "Asia/Shanghai") == dt.date(2026, 12, 8)
    late_evening = dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)  # 01:00 on 1 Dec in Shanghai
    assert notice_ends_on(NOTICE, late_evening, "Asia/Shanghai") == dt.date(2026, 12, 8)
    everything = frozenset(scored(["v-1", "v-2"], "ORGANIZATION", ORG_INDICATORS)
                           | scored(["v-1", "v-2"], "MASS", MASS_INDICATORS))
    day_six = START + dt.timedelta(days=6)
    missing = leaving_checks(SCHEME, 3, facts(scored=everything, now=day_six))
    assert [m.reason for m in missing] == ["NOTICE_NOT_OVER"] and "2026-12-08" in missing[0].en
    day_seven_midnight = dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.UTC)  # 00:00 on 8 Dec in Shanghai
    assert leaving_checks(SCHEME, 3, facts(scored=everything, now=day_seven_midnight)) == []


def test_open_objections_hold_the_notice():
    everything = frozenset(scored(["v-1", "v-2"], "ORGANIZATION", ORG_INDICATORS)
                           | scored(["v-1", "v-2"], "MASS", MASS_INDICATORS))
    later = START + dt.timedelta(days=30)
    missing = leaving_checks(SCHEME, 3, facts(scored=everything, now=later, open_objections=("o-1",)))
    assert [(m.reason, m.subject) for m in missing] == [("OBJECTION_OPEN", "o-1")]


def test_a_refusal_lists_twenty_items_and_counts_the_rest():
    many = [f"v-{n}" for n in range(25)]
    missing = leaving_checks(SCHEME, 0, facts(target_ids=tuple(many)))
    error = refuse_advance(TOWNSHIP, missing)
    assert error.reason == "STAGE_CHECKS_FAILED" and error.metadata["missing_count"] == "25"
    assert "v-19:" in error.en and "v-20:" not in error.en and "and 5 more" in error.en and "另有 5 项" in error.zh
    assert "ORGANIZATION lacks 4 indicators" in error.en


def test_a_county_sized_refusal_fits_in_the_grpc_trailers():
    """A refusal travels as grpc-message (percent-encoded) and a binary Status: 16 KiB in all."""
    many = tuple(f"u-01m8zhxf9wb4k{n:03d}" for n in range(300))
    missing = leaving_checks(SCHEME, 2, facts(target_ids=many))
    error = refuse_advance(REVIEW, missing)
    message = str(error).encode()
    percent_encoded = sum(1 if 0x20 <= byte < 0x7F and byte != 0x25 else 3 for byte in message)  # grpc-message
    trailer = percent_encoded + 4 * (len(message) + len(error.zh.encode())) // 3  # + the binary Status
    assert error.metadata["missing_count"] == "300" and trailer < 12 * 1024


def test_counts_alone_find_the_gaps_and_keys_name_them_for_the_listed_targets():
    """AdvanceRound counts values in the database and loads exact keys only for the targets its
    refusal names: the same targets are missing, named by number where no keys were loaded."""
    many = tuple(f"v-{n}" for n in range(30))
    partial = scored(many, "ORGANIZATION", ORG_INDICATORS[:3])  # every target lacks VOLUNTEER
    counts = Scored.of(partial).counts
    listed = listed_targets(SCHEME, 0, many, counts)
    assert listed == list(many[:20])
    keys = Scored.of(k for k in partial if k[0] in listed).keys
    missing = leaving_checks(SCHEME, 0, RoundFacts(many, Scored(counts, keys), (), START, START, "Asia/Shanghai"))
    assert [m.subject for m in missing] == list(many)
    assert missing[0].en == "v-0: ORGANIZATION lacks VOLUNTEER" and missing[25].en == "v-25: ORGANIZATION lacks 1 indicators"
    assert [m.subject for m in leaving_checks(SCHEME, 0, facts(target_ids=many, scored=frozenset(partial)))] == list(many)
