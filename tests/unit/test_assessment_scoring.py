"""Scoring worked through the examples a county's organization department would check by hand."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from services.assessment.domain.preview import compare, count_movers
from services.assessment.domain.scheme import Dimension, Effect, Indicator, Method, Source, Tier
from services.assessment.domain.scoring import Gap, ScoringInput, Target, gaps, score
from services.assessment.domain.scoring_plan import Overrides, check_overrides
from services.common.errors import FailedPrecondition, Validator
from tests.unit.assessment_scoring_fixtures import (
    five_good,
    manual,
    scheme,
    star_rating,
    uniform,
    village,
)


def test_a_95_point_village_with_a_negative_situation_stays_at_three_stars():
    # 评星定级: 95 points earns five stars, but a recorded 负面情形 (vote buying) bars four and five.
    stars = star_rating()
    villages = [village(1), village(2)]
    values = uniform(stars, villages, lambda t, i: "23.75" if t.target_id == "v1" else "20")
    result = score(stars, ScoringInput.of(villages, values, {"v1": ["BRIBERY"]}))
    v1 = result.of("v1")
    assert (v1.total, v1.grade_before, v1.grade) == (D("95.00"), "FIVE_STAR", "THREE_STAR")
    assert [(n.code, n.effect, n.cap_grade, n.changed_grade) for n in v1.negatives] == [
        ("BRIBERY", Effect.CAP, "THREE_STAR", True)
    ]
    # 80 points is four stars for v2, so v2 outranks the capped v1 despite the lower score.
    assert result.of("v2").grade == "FOUR_STAR"
    assert [r.target.target_id for r in result.results] == ["v2", "v1"]


def test_a_cap_above_the_earned_grade_changes_nothing():
    stars = star_rating()
    villages = [village(1)]
    values = uniform(stars, villages, lambda t, i: "15")  # 60 points: two stars
    v1 = score(stars, ScoringInput.of(villages, values, {"v1": ["BRIBERY", "PETITION"]})).of("v1")
    assert (v1.grade_before, v1.grade) == ("TWO_STAR", "TWO_STAR")
    assert [n.changed_grade for n in v1.negatives] == [False, False]


def test_a_veto_sends_the_top_village_to_the_lowest_tier_and_last_place():
    # 五个好: 一票否决 (family planning) — the best-scored village is graded 未达标 and ranked last.
    goods = five_good()
    villages = [village(1), village(2), village(3)]
    marks = {"v1": "10", "v2": "8", "v3": "6.5"}
    values = uniform(goods, villages, lambda t, i: marks[t.target_id])
    result = score(goods, ScoringInput.of(villages, values, {"v1": ["FAMILY_PLANNING_VETO"]}))
    v1 = result.of("v1")
    assert (v1.total, v1.grade_before, v1.grade) == (D("100.00"), "ADVANCED", "BELOW")
    assert v1.rank_in_scope == 3
    assert [(r.target.target_id, r.grade, r.rank_in_scope) for r in result.results] == [
        ("v2", "STANDARD", 1), ("v3", "STANDARD", 2), ("v1", "BELOW", 3)
    ]


def test_sources_are_weighted_60_30_10():
    # 组织考核 8, 群众评议 9, 自我评价 10 on a 10-point indicator: (480 + 270 + 100) / 100 = 8.5.
    s = scheme([Dimension("ALL", "全部", "all", D(100), (manual("A", 10),))])
    values = {("v1", "ORGANIZATION", "A"): D(8), ("v1", "MASS", "A"): D(9), ("v1", "SELF", "A"): D(10)}
    v1 = score(s, ScoringInput.of([village(1)], values)).of("v1")
    indicator = v1.dimensions[0].indicators[0]
    assert indicator.sources == ("ORGANIZATION", "MASS", "SELF")
    assert indicator.score == D("8.50")
    assert v1.total == D("85.00")


def test_an_indicator_scored_by_the_masses_only_ignores_the_other_sources():
    s = scheme([Dimension("ALL", "全部", "all", D(100), (manual("A", 10, sources=("MASS",)),))])
    v1 = score(s, ScoringInput.of([village(1)], {("v1", "MASS", "A"): D(7)})).of("v1")
    assert v1.total == D("70.00")


def test_each_method_turns_the_measured_value_into_points():
    indicators = (
        Indicator("MEETINGS", "三会一课", "meetings", D(10), Method.COUNT, points_each=D(2), cap=D(8)),
        Indicator("DONE", "按时换届", "on time", D(10), Method.BOOLEAN),
        # 信访量: lower is better, 0 cases earn all 10 points, 10 or more none.
        Indicator("PETITIONS", "信访量", "petitions", D(10), Method.LINEAR, low=D(10), high=D(0)),
        Indicator("INCOME", "集体收入(万元)", "income", D(10), Method.TIERS,
                  tiers=(Tier(D(5), D(4)), Tier(D(10), D(7)), Tier(D(50), D(10)))),
    )
    s = scheme([Dimension("ALL", "全部", "all", D(100), indicators)],
               sources=(Source("ORGANIZATION", "组织考核", "organization", D(100)),))
    values = {("v1", "ORGANIZATION", "MEETINGS"): D(12), ("v1", "ORGANIZATION", "DONE"): D(1),
              ("v1", "ORGANIZATION", "PETITIONS"): D(3), ("v1", "ORGANIZATION", "INCOME"): D(12)}
    v1 = score(s, ScoringInput.of([village(1)], values)).of("v1")
    by_code = {i.code: i.score for i in v1.dimensions[0].indicators}
    assert by_code == {"MEETINGS": D("8.00"), "DONE": D("10.00"), "PETITIONS": D("7.00"),
                       "INCOME": D("7.00")}
    assert v1.total == D("80.00")  # 32 of 40 points, the dimension worth 100


def test_deductions_come_off_the_total_and_never_below_zero():
    stars = star_rating()
    villages = [village(1), village(2)]
    values = uniform(stars, villages, lambda t, i: "20" if t.target_id == "v1" else "0")
    result = score(stars, ScoringInput.of(villages, values, {"v1": ["LATE_REPORT"],
                                                             "v2": ["LATE_REPORT"]}))
    v1, v2 = result.of("v1"), result.of("v2")
    assert (v1.base_total, v1.deductions, v1.total, v1.grade) == (D("80.00"), D(3), D("77.00"),
                                                                  "THREE_STAR")
    assert v2.total == D("0.00")
    assert v1.negatives[0].points == D(3)


def test_the_total_is_rounded_half_up_once_at_the_end():
    # Three dimensions worth 33.33 / 33.33 / 33.34 would show 99.99 if each were rounded first;
    # here each contribution is 100/3 * 0.5 = 16.666..., shown 16.67, and the total is 50.00.
    dims = [Dimension(c, c, c, D(100) / 3, (manual(f"{c}_1", 10),)) for c in ("A", "B", "C")]
    s = scheme(dims)
    values = uniform(s, [village(1)], lambda t, i: "5")
    v1 = score(s, ScoringInput.of([village(1)], values)).of("v1")
    assert [d.contribution for d in v1.dimensions] == [D("16.67")] * 3
    assert v1.total == D("50.00")
    # 2.345 rounds up to 2.35, the way the county's sheet does it.
    s2 = scheme([Dimension("ALL", "全部", "all", D(100), (manual("A", 1000),))])
    values2 = uniform(s2, [village(1)], lambda t, i: "23.45")
    assert score(s2, ScoringInput.of([village(1)], values2)).of("v1").total == D("2.35")


def test_ties_share_a_rank_and_townships_rank_their_own_villages():
    stars = star_rating()
    villages = [village(1, "t1"), village(2, "t1"), village(3, "t2"), village(4, "t2")]
    marks = {"v1": "22", "v2": "22", "v3": "20", "v4": "23"}
    result = score(stars, ScoringInput.of(villages, uniform(stars, villages,
                                                             lambda t, i: marks[t.target_id])))
    ranks = {r.target.target_id: (r.rank_in_scope, r.rank_in_township) for r in result.results}
    assert ranks == {"v4": (1, 1), "v1": (2, 1), "v2": (2, 1), "v3": (4, 2)}


def test_what_is_missing_names_target_source_and_indicator_and_scoring_refuses_it():
    stars = star_rating()
    villages = [village(1), village(2)]
    values = uniform(stars, villages, lambda t, i: "20")
    del values[("v2", "MASS", "DEV_1")]
    assert gaps(stars, villages, values) == (Gap("v2", "MASS", "DEV_1"),)
    assert gaps(stars, villages, values, sources=["ORGANIZATION"]) == ()
    with pytest.raises(FailedPrecondition) as refused:
        score(stars, ScoringInput.of(villages, values))
    assert "v2" in refused.value.en and "MASS" in refused.value.en and "DEV_1" in refused.value.zh
    # A preview counts the gap as 0 and says so: 群众评议 (30 %) gives 0 of 20 on DEV_1, -6 points.
    previewed = score(stars, ScoringInput.of(villages, values), missing_as_zero=True).of("v2")
    assert previewed.missing == 1 and previewed.total == D("74.00")


def test_a_draft_revision_without_a_recorded_item_lists_it_as_unknown():
    goods = five_good()
    values = uniform(goods, [village(1)], lambda t, i: "10")
    v1 = score(goods, ScoringInput.of([village(1)], values, {"v1": ["OLD_ITEM"]})).of("v1")
    assert v1.unknown_negatives == ("OLD_ITEM",) and v1.grade == "ADVANCED"


def test_preview_of_new_weights_shows_who_moves_first():
    # Village 1 is strong on organization, village 2 on serving the people; weighting 服务群众
    # at 55 instead of 25 swaps them, village 3 stays last.
    stars = star_rating()
    villages = [village(1), village(2), village(3)]
    marks = {("v1", "ORG_1"): 25, ("v2", "SERVE_1"): 25}
    values = uniform(stars, villages,
                     lambda t, i: marks.get((t.target_id, i.code), 20 if t.target_id != "v3" else 10))
    inputs = ScoringInput.of(villages, values)
    current = score(stars, inputs)
    overrides = Overrides(dimension_weights={"ORG": D(15), "TEAM": D(15), "DEV": D(15), "SERVE": D(55)})
    draft = score(stars, inputs, overrides)
    rows = compare(current, draft)
    # Both had 85 (四星, tied first); under the draft v2 has 91 (五星) and v1 83 (四星, second).
    assert [(r.target.target_id, r.current.grade, r.draft.grade, r.current.rank_in_scope,
             r.draft.rank_in_scope, r.moved) for r in rows] == [
        ("v1", "FOUR_STAR", "FOUR_STAR", 1, 2, True),
        ("v2", "FOUR_STAR", "FIVE_STAR", 1, 1, True),
        ("v3", "ONE_STAR", "ONE_STAR", 3, 3, False),
    ]
    assert count_movers(rows) == 2
    assert (draft.of("v2").total, draft.of("v1").total) == (D("91.00"), D("83.00"))


def test_preview_of_a_draft_that_lowers_the_four_star_line_moves_grades():
    stars = star_rating()
    villages = [village(1), village(2)]
    values = uniform(stars, villages, lambda t, i: "19.5" if t.target_id == "v1" else "22")
    inputs = ScoringInput.of(villages, values)
    lowered = tuple(replace(b, min_score=D(75)) if b.code == "FOUR_STAR" else b for b in stars.grades)
    draft_scheme = replace(stars, revision=2, grades=lowered)
    rows = compare(score(stars, inputs), score(draft_scheme, inputs))
    assert [(r.target.target_id, r.current.grade, r.draft.grade, r.moved) for r in rows] == [
        ("v1", "THREE_STAR", "FOUR_STAR", True), ("v2", "FOUR_STAR", "FOUR_STAR", False)
    ]


def test_weight_overrides_must_name_the_schemes_codes_and_sum_to_100():
    stars = star_rating()
    v = Validator()
    check_overrides(v, stars, Overrides(dimension_weights={"ORG": D(40)}, source_weights={"X": D(5)}))
    paths = {violation.field for violation in v.violations}
    assert paths == {"weight_overrides.dimension_weights", "weight_overrides.source_weights[X]"}
    assert any("115" in violation.en for violation in v.violations)
    ok = Validator()
    check_overrides(ok, stars, Overrides(source_weights={"ORGANIZATION": D(50), "MASS": D(40)}))
    assert ok.violations == []


def test_targets_from_the_rounds_repository_are_accepted_as_they_are():
    class RoundTarget:  # the shape of rounds.RoundTarget: member_id "" when none
        def __init__(self, n):
            self.target_id = self.unit_id = f"v{n}"
            self.member_id, self.township_id, self.display_name = "", "t1", f"第{n}村"

    inputs = ScoringInput.of([RoundTarget(1)], {})
    assert inputs.targets == (Target("v1", "v1", None, "t1", "第1村"),)
