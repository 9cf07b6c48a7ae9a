"""The events finalizing writes: one per rule that fires, and the organization's feed in batches."""

from __future__ import annotations

from dataclasses import replace

from services.assessment.domain.result_rules import decide
from services.assessment.domain.scheme import ResultRules
from services.assessment.domain.scoring import ScoringInput, score
from tests.unit.assessment_scoring_fixtures import star_rating, uniform, village


def _scored(scheme, marks):
    villages = [village(int(tid[1:])) for tid in marks]
    return score(scheme, ScoringInput.of(villages, uniform(scheme, villages, lambda t, i: marks[t.target_id])))


def _round():
    import datetime as dt

    from services.assessment.domain.rounds import Round, RoundState

    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    return Round("610222", "r-1", "stars", 1, "2026年度评星定级", "2026", "", "/", 4, RoundState.FINALIZED, now,
                 now, "admin")


def test_a_province_round_reaches_the_organization_in_batches_of_500():
    from services.assessment.service_layer.results import finalized_batches

    stars = replace(star_rating(), result_rules=ResultRules(sets_star_level=True, weak_at_or_below="TWO_STAR"))
    scoring = _scored(stars, {f"v{n}": str(n % 25) for n in range(1, 1202)})
    batches = finalized_batches("610222", _round(), stars, scoring, decide(stars, scoring, {}))
    assert [(b.batch, b.batches, len(b.results)) for b in batches] == [(1, 3, 500), (2, 3, 500), (3, 3, 201)]
    assert all(b.sets_star_level and b.decides_weak_and_lax for b in batches)
    first = batches[0].results[0]  # 24 of 25 on each group: 96 points; the ties in id order
    assert (first.unit, first.grade, first.stars, first.rank) == ("tenants/610222/units/v1024", "FIVE_STAR", 5, 1)


def test_each_rule_that_fires_is_one_event_in_rank_order():
    from services.assessment.domain import result_events as ev
    from services.assessment.service_layer.results import rule_events

    stars = replace(star_rating(), result_rules=ResultRules(commend_grades=("FIVE_STAR",), remind_last_place=False))
    scoring = _scored(stars, {"v1": "24", "v2": "20", "v3": "12"})
    events = rule_events("610222", _round(), stars, scoring, decide(stars, scoring, {}), None)
    assert [type(e) for e in events] == [ev.TargetCommended]  # the last place's letter is switched off
    assert (events[0].result, events[0].total) == ("tenants/610222/rounds/r-1/results/v1", 96.0)
