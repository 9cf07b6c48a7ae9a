"""Result rules a county applies when a round is finalized: commend, remind, talk, flag, titles."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

from services.assessment.domain.result_records import dimensions_of, explanation_of, negatives_of
from services.assessment.domain.result_rules import Carried, decide
from services.assessment.domain.scheme import ResultRules, TargetKind, Title
from services.assessment.domain.scoring import ScoringInput, score
from tests.unit.assessment_scoring_fixtures import five_good, star_rating, uniform, village

FIVE_GOOD_TITLE = Title("FIVE_GOOD_VILLAGE", "五个好村党组织", "five-good village", ("ADVANCED",))


def _scored(scheme, marks, negatives=None):
    villages = [village(int(tid[1:])) for tid in marks]
    values = uniform(scheme, villages, lambda t, i: marks[t.target_id])
    return score(scheme, ScoringInput.of(villages, values, negatives or {}))


def test_five_stars_are_commended_and_the_last_village_gets_a_reminder_letter():
    stars = replace(star_rating(), result_rules=ResultRules(commend_grades=("FIVE_STAR",)))
    decisions = decide(stars, _scored(stars, {"v1": "24", "v2": "20", "v3": "12"}), {})
    assert [tid for tid, d in decisions.items() if d.commended] == ["v1"]
    assert [tid for tid, d in decisions.items() if d.last_place] == ["v3"]
    assert not decisions["v3"].admonishing_talk  # the first time last: a letter, not yet a talk


def test_last_twice_in_a_row_means_an_admonishing_talk():
    stars = star_rating()  # talk_after_last_places defaults to 2
    scoring = _scored(stars, {"v1": "24", "v2": "12"})
    once = {"v2": Carried("TWO_STAR", 2, 5000, False, 1)}
    assert decide(stars, scoring, once)["v2"].admonishing_talk
    assert decide(stars, scoring, once)["v2"].last_place_streak == 2
    # Last the time before that, but not in the previous round: the run starts again.
    broken = {"v2": Carried("THREE_STAR", 1, 7000, False, 0)}
    assert not decide(stars, scoring, broken)["v2"].admonishing_talk
    never = replace(stars, result_rules=ResultRules(talk_after_last_places=0))
    assert not decide(never, scoring, once)["v2"].admonishing_talk


def test_tied_last_places_both_get_the_letter_and_a_lone_target_gets_none():
    stars = star_rating()
    decisions = decide(stars, _scored(stars, {"v1": "24", "v2": "12", "v3": "12"}), {})
    assert sorted(t for t, d in decisions.items() if d.last_place) == ["v2", "v3"]
    assert not decide(stars, _scored(stars, {"v1": "12"}), {})["v1"].last_place


def test_two_stars_or_fewer_flags_the_village_weak_but_never_a_secretary():
    rules = ResultRules(weak_at_or_below="TWO_STAR")
    stars = replace(star_rating(), result_rules=rules)
    decisions = decide(stars, _scored(stars, {"v1": "24", "v2": "15", "v3": "5"}), {})
    assert {t: d.weak for t, d in decisions.items()} == {"v1": False, "v2": True, "v3": True}
    secretaries = replace(stars, target_kind=TargetKind.SECRETARY)
    assert not any(d.weak for d in decide(secretaries, _scored(secretaries, {"v2": "15"}), {}).values())


def test_titles_are_granted_to_new_holders_and_revoked_from_those_who_lost_them():
    goods = replace(five_good(), result_rules=ResultRules(title=FIVE_GOOD_TITLE))
    scoring = _scored(goods, {"v1": "10", "v2": "9.5", "v3": "7"}, {"v2": ["ECONOMY_VETO"]})
    previous = {"v1": Carried("ADVANCED", 1, 9500, True, 0), "v2": Carried("ADVANCED", 2, 9000, True, 0)}
    decisions = decide(goods, scoring, previous)
    assert (decisions["v1"].holds_title, decisions["v1"].title_granted, decisions["v1"].title_revoked) == (
        True, False, False)  # kept: no event
    assert decisions["v2"].title_revoked  # vetoed: 摘牌
    assert not decisions["v3"].holds_title and not decisions["v3"].title_revoked
    first_year = decide(goods, scoring, {})
    assert [t for t, d in first_year.items() if d.title_granted] == ["v1"]


def test_the_stored_explanation_reads_back_exactly():
    stars = star_rating()
    result = _scored(stars, {"v1": "23.33"}, {"v1": ["LATE_REPORT", "BRIBERY"]}).of("v1")
    stored = explanation_of(result)
    dims = dimensions_of(stored)
    assert [d.code for d in dims] == ["ORG", "TEAM", "DEV", "SERVE"]
    assert dims[0].weight == D(25) and dims[0].contribution == D("23.33")
    assert [(s.source, s.submitted, s.value) for s in dims[0].indicators[0].sources][0] == (
        "ORGANIZATION", D("23.33"), D("23.33"))
    assert [(n.code, n.points, n.cap_grade) for n in negatives_of(stored)] == [
        ("BRIBERY", None, "THREE_STAR"), ("LATE_REPORT", D(3), None)]

