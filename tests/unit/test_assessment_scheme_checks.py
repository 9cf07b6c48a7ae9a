"""The pure check of a scheme (domain/scheme_checks.py): each rule by the path and words it answers."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from services.assessment.domain.scheme_checks import check_scheme, clean_scheme
from services.assessment.domain.scheme_format import parse_document

SOUND = {
    "display_name": "村党组织年度考核", "target_kind": "VILLAGE_ORG", "period_kind": "YEAR",
    "dimensions": [
        {"code": "ORGANIZATION", "name_zh": "组织建设", "weight": 60, "indicators": [
            {"code": "MEETINGS", "name_zh": "三会一课", "max_score": 10, "method": "MANUAL"},
            {"code": "INCOME", "name_zh": "集体经济收入增长", "max_score": 10, "method": "LINEAR", "low": 0, "high": 20,
             "sources": ["ORGANIZATION"]}]},
        {"code": "SERVICE", "name_zh": "服务群众", "weight": 40, "indicators": [
            {"code": "DEEDS", "name_zh": "为民办实事", "max_score": 8, "method": "COUNT", "points_each": 2, "cap": 6},
            {"code": "SATISFACTION", "name_zh": "满意度", "max_score": 5, "method": "TIERS", "sources": ["MASS"],
             "tiers": [{"at_least": 60, "score": 2}, {"at_least": 80, "score": 4}, {"at_least": 95, "score": 5}]}]}],
    "sources": [{"code": "ORGANIZATION", "name_zh": "组织考核", "weight": 70},
                {"code": "MASS", "name_zh": "群众评议", "weight": 30}],
    "negative_items": [{"code": "CORRUPTION", "name_zh": "违纪违法", "effect": "VETO"},
                       {"code": "LATE", "name_zh": "迟报", "effect": "DEDUCT", "points": 2},
                       {"code": "PETITION", "name_zh": "越级上访", "effect": "CAP", "cap_grade": "PASS"}],
    "grades": [{"code": "EXCELLENT", "name_zh": "优秀", "min_score": 90},
               {"code": "PASS", "name_zh": "合格", "min_score": 60},
               {"code": "FAIL", "name_zh": "不合格", "min_score": 0}],
    "stages": [{"code": "TOWNSHIP", "name_zh": "乡镇考核", "kind": "SCORING", "actors": ["CLERK"],
                "sources": ["ORGANIZATION"]},
               {"code": "MASS", "name_zh": "群众测评", "kind": "SCORING", "actors": ["CLERK"], "sources": ["MASS"]},
               {"code": "NOTICE", "name_zh": "公示", "kind": "PUBLIC_NOTICE", "actors": ["COUNTY"], "days": 7}],
    "result_rules": {"commend_grades": ["EXCELLENT"], "weak_at_or_below": "FAIL"},
}


def problems(change=None) -> dict[str, str]:
    """{path: zh / en} of the sound scheme after `change(document)`."""
    document = copy.deepcopy(SOUND)
    if change is not None:
        change(document)
    scheme, shape = parse_document(document)
    assert shape == []
    return {p.field: f"{p.zh} / {p.en}" for p in check_scheme(scheme)}


def test_the_sound_scheme_has_no_problem():
    assert problems() == {}


def test_weights_of_dimensions_and_of_sources_each_sum_to_100():
    def off(d):
        d["dimensions"][0]["weight"] = 50
        d["sources"][1]["weight"] = 20
    found = problems(off)
    assert "现为90" in found["dimensions"] and "not 90" in found["dimensions"]
    assert "not 90" in found["sources"]
    assert "dimensions[0].weight" in problems(lambda d: d["dimensions"][0].update(weight=0))
    assert "sources[0].weight" in problems(lambda d: d["sources"][0].update(weight=170))


def test_an_indicator_needs_a_positive_max_score_and_a_method():
    found = problems(lambda d: d["dimensions"][0]["indicators"][0].update(max_score=0, method=None))
    assert "greater than 0" in found["dimensions[0].indicators[0].max_score"]
    assert "dimensions[0].indicators[0].method" in found


@pytest.mark.parametrize(("change", "path", "words"), [
    ({"high": 0}, "dimensions[0].indicators[1].high", "must differ from low"),
    ({"low": None}, "dimensions[0].indicators[1].low", "must be set"),
    ({"method": "MANUAL"}, "dimensions[0].indicators[1].low", "applies only to method LINEAR"),
])
def test_linear_needs_two_different_bounds(change, path, words):
    assert words in problems(lambda d: d["dimensions"][0]["indicators"][1].update(change))[path]


def test_tiers_ascend_and_score_within_max_never_less_for_a_higher_tier():
    def tiers(values):
        return lambda d: d["dimensions"][1]["indicators"][1].update(
            tiers=[{"at_least": a, "score": s} for a, s in values])
    path = "dimensions[1].indicators[1].tiers"
    assert "tiers ascend" in problems(tiers([(60, 2), (60, 4)]))[f"{path}[1].at_least"]
    assert "at most 5" in problems(tiers([(60, 2), (80, 6)]))[f"{path}[1].score"]
    assert "must not be below" in problems(tiers([(60, 4), (80, 2)]))[f"{path}[1].score"]
    assert "at least one tier" in problems(tiers([]))[path]


def test_count_needs_points_each_and_a_cap_within_max():
    path = "dimensions[1].indicators[0]"
    assert "greater than 0" in problems(lambda d: d["dimensions"][1]["indicators"][0].update(points_each=0))[
        f"{path}.points_each"]
    assert "at most 8" in problems(lambda d: d["dimensions"][1]["indicators"][0].update(cap=9))[f"{path}.cap"]


def test_negative_items_deduct_positive_points_and_cap_at_a_grade_of_the_scheme():
    found = problems(lambda d: d["negative_items"][1].update(points=0))
    assert "negative_items[1].points" in found
    found = problems(lambda d: d["negative_items"][2].update(cap_grade="GOOD"))
    assert "GOOD" in found["negative_items[2].cap_grade"]
    assert "applies only to DEDUCT" in problems(lambda d: d["negative_items"][0].update(points=3))[
        "negative_items[0].points"]
    assert "negative_items[2].cap_grade" in problems(lambda d: d["negative_items"][2].pop("cap_grade"))


def test_grades_descend_strictly_end_at_zero_with_unique_codes_and_stars_0_to_5():
    assert "best first" in problems(lambda d: d["grades"][1].update(min_score=90))["grades[1].min_score"]
    assert "must be 0" in problems(lambda d: d["grades"][2].update(min_score=10))["grades[2].min_score"]
    assert "duplicates" in problems(lambda d: d["grades"][1].update(code="EXCELLENT"))["grades[1].code"]
    assert "between 0 and 5" in problems(lambda d: d["grades"][0].update(stars=6))["grades[0].stars"]
    assert "grades" in problems(lambda d: d.update(grades=d["grades"][-1:]))


def test_stages_score_existing_sources_each_in_one_stage_and_notices_last_1_to_60_days():
    assert "must hold at least 1 stages" in problems(lambda d: d.update(stages=[]))["stages"]
    assert "NOWHERE" in problems(lambda d: d["stages"][0].update(sources=["NOWHERE"]))["stages[0].sources[0]"]
    found = problems(lambda d: d["stages"][1].update(sources=["ORGANIZATION"]))
    assert "already scored in stages[0]" in found["stages[1].sources[0]"]
    assert "MASS is scored in no SCORING stage" in found["sources[1]"]
    for days in (0, 61):
        assert "between 1 and 60" in problems(lambda d, n=days: d["stages"][2].update(days=n))["stages[2].days"]
    assert "applies only to PUBLIC_NOTICE" in problems(lambda d: d["stages"][0].update(days=3))["stages[0].days"]
    assert "stages[0].actors" in problems(lambda d: d["stages"][0].update(actors=[]))


def test_indicators_name_sources_of_the_scheme():
    found = problems(lambda d: d["dimensions"][0]["indicators"][1].update(sources=["SELF"]))
    assert "SELF" in found["dimensions[0].indicators[1].sources[0]"]


def test_result_rules_name_grades_of_the_scheme():
    def rules(**values):
        return lambda d: d["result_rules"].update(values)
    assert "result_rules.commend_grades[0]" in problems(rules(commend_grades=["GOLD"]))
    assert "result_rules.weak_at_or_below" in problems(rules(weak_at_or_below="TWO_STAR"))
    assert "result_rules.title.grades[0]" in problems(rules(title={"code": "T", "name_zh": "称号", "grades": ["X"]}))
    assert "stars" in problems(rules(sets_star_level=True))["result_rules.sets_star_level"]
    assert "result_rules.talk_after_last_places" in problems(rules(talk_after_last_places=-1))
    found = problems(lambda d: d.update(target_kind="SECRETARY"))
    assert "SECRETARY" in found["result_rules.weak_at_or_below"]


def test_codes_are_unique_in_their_part_and_indicator_codes_across_dimensions():
    found = problems(lambda d: d["dimensions"][1]["indicators"][0].update(code="MEETINGS"))
    assert "dimensions[0].indicators[0]" in found["dimensions[1].indicators[0].code"]
    assert "UPPER_SNAKE" in problems(lambda d: d["sources"][0].update(code="org"))["sources[0].code"]


def test_codes_are_normalised_and_names_cleaned_before_they_are_compared():
    document = copy.deepcopy(SOUND)
    document["grades"][0]["code"] = "ＥＸＣＥＬＬＥＮＴ"
    document["display_name"] = "  年度考核 "
    scheme, cleaned_problems = clean_scheme(parse_document(document)[0])
    assert cleaned_problems == []
    assert (scheme.grades[0].code, scheme.display_name) == ("EXCELLENT", "年度考核")
    assert "U+202E" in problems(lambda d: d.update(display_name="考核\u202e"))["display_name"]


def test_numbers_round_half_up_to_hundredths_and_shape_errors_name_their_path():
    document = copy.deepcopy(SOUND)
    document["dimensions"][0]["weight"], document["dimensions"][1]["weight"] = 59.995, 40.004
    scheme, shape = parse_document(document)
    assert shape == [] and [d.weight for d in scheme.dimensions] == [Decimal("60.00"), Decimal("40.00")]
    document["grades"][0]["min_scor"] = 1
    document["stages"][0]["kind"] = "SCOREING"
    document["sources"][0]["weight"] = "seventy"
    assert {p.field for p in parse_document(document)[1]} == {
        "grades[0].min_scor", "stages[0].kind", "sources[0].weight"}


def test_a_number_beyond_every_bound_is_told_its_bound_not_that_it_is_unset():
    found = problems(lambda d: d["dimensions"][0].update(weight=1e300))
    assert "at most 100" in found["dimensions[0].weight"]
    found = problems(lambda d: d["dimensions"][0]["indicators"][1].update(low=-1e300))
    assert "dimensions[0].indicators[1].low" in found


def test_a_scheme_holds_at_most_300_indicators_in_all():
    def many(d):
        d["dimensions"] = [{"code": f"D{i}", "name_zh": "维度", "weight": 25, "indicators": [
            {"code": f"D{i}_{k}", "name_zh": "指标", "max_score": 1, "method": "MANUAL"} for k in range(80)]}
            for i in range(4)]
    assert "not 320" in problems(many)["dimensions"]
