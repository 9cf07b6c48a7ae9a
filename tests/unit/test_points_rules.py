"""Points rules as data: check_rule_set cell by cell, the shipped templates, the document format,
and which revision is in force on a day."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from services.points.domain.rule_checks import check_rule_set, clean_rule_set
from services.points.domain.rule_set_format import parse_document, to_document
from services.points.domain.rule_sets import (
    NORMAL,
    Comparison,
    Kind,
    Mode,
    RecorderRole,
    Rule,
    RuleSetContent,
    RuleSetRevision,
    State,
    Threshold,
    Unit,
    in_force,
)
from services.points.domain.templates import shipped

AWARD = Rule("URGENT_TASK", "急难险重", "Urgent task", Kind.AWARD, 2, Unit.TIMES, yearly_cap=6)
DEDUCT = Rule("MEETING_ABSENT", "缺席会议", "Absent", Kind.DEDUCT, 2, Unit.MEETING)
REMIND = Threshold("REMINDER_TALK", "提醒谈话", "Reminder talk", Comparison.BELOW, 6, 1)
UNQUALIFIED = Threshold("UNQUALIFIED", "不合格", "Unqualified", Comparison.AT_OR_BELOW, 0, 2)
SOUND = RuleSetContent(Mode.DEDUCT_FROM_BASE, 12, 0, 0, (REMIND, UNQUALIFIED), (DEDUCT, AWARD))


def problems(content: RuleSetContent) -> dict[str, str]:
    """{path: English reason} of every problem."""
    return {p.path: p.en for p in check_rule_set(content)}


def with_rule(**changes) -> RuleSetContent:
    return replace(SOUND, rules=(replace(DEDUCT, **changes), AWARD))


def with_threshold(index: int, **changes) -> RuleSetContent:
    thresholds = list(SOUND.thresholds)
    thresholds[index] = replace(thresholds[index], **changes)
    return replace(SOUND, thresholds=tuple(thresholds))


def test_a_sound_rule_set_has_no_problems_and_takes_its_defaults():
    cleaned, found = clean_rule_set(replace(SOUND, base=None))
    assert found == []
    assert cleaned.base == 12 and cleaned.max_quantity == 100
    assert cleaned.rules[0].recorder_roles == (RecorderRole.COUNTY_ADMIN, RecorderRole.CLERK)
    accumulate, _ = clean_rule_set(replace(SOUND, mode=Mode.ACCUMULATE, base=None, thresholds=()))
    assert accumulate.base == 0


@pytest.mark.parametrize("content, path, reason", [
    (replace(SOUND, mode=None), "mode", "must be set"),
    (replace(SOUND, mode="#9"), "mode", "unknown value #9"),
    (replace(SOUND, base=5000), "base", "between 0 and 1000"),
    (replace(SOUND, base=-1), "base", "between 0 and 1000"),
    (replace(SOUND, floor=13), "floor", "must not be above the base"),
    (replace(SOUND, max_quantity=-3), "max_quantity", "between 1 and 10000"),
    (replace(SOUND, rules=()), "rules", "at least one rule"),
    (with_rule(points=0), "rules[0].points", "must be > 0"),
    (with_rule(points=-2), "rules[0].points", "must be > 0"),
    (with_rule(points=5000), "rules[0].points", "between 1 and 1000"),
    (with_rule(kind=None), "rules[0].kind", "must be set"),
    (with_rule(kind="#7"), "rules[0].kind", "unknown value #7"),
    (with_rule(unit=None), "rules[0].unit", "must be set"),
    (with_rule(yearly_cap=-1), "rules[0].yearly_cap", "must be >= 0"),
    (with_rule(code=""), "rules[0].code", "must not be empty"),
    (with_rule(code="Meeting Absent"), "rules[0].code", "UPPER_SNAKE_CASE or lower-kebab-case"),
    (with_rule(code="MEETING\u202eABSENT"), "rules[0].code", "control character U+202E"),
    (with_rule(name_zh="  "), "rules[0].name_zh", "must not be empty"),
    (with_rule(name_zh="缺席\u200b会议"), "rules[0].name_zh", "U+200B"),
    (with_rule(name_zh="长" * 51), "rules[0].name_zh", "at most 50"),
    (with_rule(exchange_points=-1), "rules[0].exchange_points", "must be >= 0"),
    (with_rule(exchange_points=3), "rules[0].exchange_points", "only AWARD rules"),
    (with_rule(lift_above_base=True), "rules[0].lift_above_base", "only to AWARD rules"),
    (with_rule(recorder_roles=(RecorderRole.CLERK, RecorderRole.CLERK)), "rules[0].recorder_roles[1]", "twice"),
    (with_rule(recorder_roles=("#8",)), "rules[0].recorder_roles[0]", "unknown value #8"),
    (replace(SOUND, rules=(DEDUCT, replace(AWARD, code="MEETING_ABSENT"))), "rules[1].code",
     "duplicates the code of rules[0]"),
    (with_threshold(1, code="REMINDER_TALK"), "thresholds[1].code", "duplicates the code of thresholds[0]"),
    (with_threshold(1, code="NORMAL"), "thresholds[1].code", "cannot be a threshold's code"),
    (with_threshold(1, code="unqualified"), "thresholds[1].code", "UPPER_SNAKE_CASE"),
    (with_threshold(1, severity=1), "thresholds[1].severity", "equals the severity of thresholds[0]"),
    (with_threshold(1, comparison=None), "thresholds[1].comparison", "must be set"),
    (with_threshold(1, value=8), "thresholds[1].value", "must be met at a lower balance"),
    (with_threshold(0, value=10**6), "thresholds[0].value", "between -100000 and 100000"),
    (with_threshold(0, name_zh=""), "thresholds[0].name_zh", "must not be empty"),
])
def test_each_check_names_its_path(content, path, reason):
    found = problems(content)
    assert path in found, found
    assert reason in found[path]


def test_every_problem_is_reported_at_once_in_both_languages():
    bad = replace(SOUND, rules=(replace(DEDUCT, points=0, yearly_cap=-1), replace(AWARD, code="", unit=None)))
    found = check_rule_set(bad)
    assert {p.path for p in found} == {"rules[0].points", "rules[0].yearly_cap", "rules[1].code", "rules[1].unit"}
    points = next(p for p in found if p.path == "rules[0].points")
    assert (points.zh, points.en) == ("必须大于0", "must be > 0")


def test_deduct_all_ignores_points_and_codes_are_normalised():
    cleaned, found = clean_rule_set(with_rule(kind=Kind.DEDUCT_ALL, points=0, code="ＭＥＥＴＩＮＧ_２ "))
    assert found == []
    assert cleaned.rules[0].code == "MEETING_2"  # as typed by a Chinese input method


def test_the_upward_thresholds_order_the_other_way():
    good = (Threshold("GOOD", "良好", "", Comparison.AT_OR_ABOVE, 40, 1),
            Threshold("EXEMPLARY", "优秀", "", Comparison.AT_OR_ABOVE, 60, 2))
    assert problems(replace(SOUND, mode=Mode.ACCUMULATE, thresholds=good)) == {}
    swapped = (replace(good[0], value=60), replace(good[1], value=40))
    assert "thresholds[1].value" in problems(replace(SOUND, mode=Mode.ACCUMULATE, thresholds=swapped))


def test_both_shipped_templates_are_valid_and_shaped_as_the_issue_says():
    templates = shipped()
    assert set(templates) == {"chaohu", "xuanen"}
    for template in templates.values():
        assert check_rule_set(template.content) == [], template.id
    xuanen = templates["xuanen"].content
    assert (xuanen.mode, xuanen.base) == (Mode.DEDUCT_FROM_BASE, 12)
    kinds = [rule.kind for rule in xuanen.rules]
    assert kinds.count(Kind.DEDUCT) + kinds.count(Kind.DEDUCT_ALL) == 15 and kinds.count(Kind.DEDUCT_ALL) == 2
    bonus = [rule for rule in xuanen.rules if rule.kind is Kind.AWARD]
    assert bonus and not any(rule.lift_above_base for rule in bonus)
    revision = RuleSetRevision("610222", "x", 1, State.PUBLISHED, xuanen)
    assert [revision.status_of(b) for b in (12, 6, 5, 1, 0, -3)] == [
        NORMAL, NORMAL, "REMINDER_TALK", "REMINDER_TALK", "UNQUALIFIED", "UNQUALIFIED"]
    chaohu = templates["chaohu"].content
    assert chaohu.mode is Mode.ACCUMULATE
    assert {r.code for r in chaohu.rules} >= {"MEETING_ATTENDED", "THEMED_PARTY_DAY", "VOLUNTEER_HOURS", "PIONEER_ROLE"}
    assert all(r.yearly_cap > 0 for r in chaohu.rules)


def test_a_document_round_trips_and_reports_unknown_keys_and_types_with_paths():
    template = shipped()["xuanen"]
    document = to_document(template.display_name, template.description, template.content)
    parsed, found = parse_document(document)
    assert found == [] and parsed.content == template.content
    document["rules"][3]["pointz"] = 2
    document["rules"][1]["points"] = "five"
    document["rules"][2]["kind"] = "REWARD"
    document["rules"][0]["needs_approval"] = "yes"
    document["thresholds"][0]["value"] = 2**40
    document["colour"] = "red"
    _, found = parse_document(document)
    assert {p.path: p.en for p in found} == {
        "rules[3].pointz": "unknown key 'pointz'",
        "rules[1].points": "must be an integer",
        "rules[2].kind": "must be one of AWARD, DEDUCT, DEDUCT_ALL",
        "rules[0].needs_approval": "must be true or false",
        "thresholds[0].value": "is out of the integer range",
        "colour": "unknown key 'colour'",
    }
    assert parse_document(["not", "a", "mapping"])[1][0].path == "(document)"
    assert parse_document({"rules": {"a": 1}})[1][0].path == "rules"


def _published(rule_set_id: str, revision: int, effective: dt.date, at_hour: int) -> RuleSetRevision:
    return RuleSetRevision("610222", rule_set_id, revision, State.PUBLISHED, SOUND, effective,
                           dt.datetime(2026, 1, 1, at_hour, tzinfo=dt.UTC))


def test_the_rules_in_force_are_the_latest_effective_on_or_before_the_day():
    first = _published("a", 1, dt.date(2026, 1, 1), 1)
    second = _published("a", 2, dt.date(2026, 7, 1), 2)
    same_day_later = _published("b", 1, dt.date(2026, 7, 1), 3)
    draft = RuleSetRevision("610222", "a", 3, State.DRAFT, SOUND, dt.date(2026, 3, 1))
    timeline = [first, second, same_day_later, draft]
    assert in_force(timeline, dt.date(2025, 12, 31)) is None
    assert in_force(timeline, dt.date(2026, 1, 1)) is first
    assert in_force(timeline, dt.date(2026, 6, 30)) is first
    assert in_force(timeline, dt.date(2026, 7, 1)) is same_day_later  # a tie goes to the later publish
    assert in_force(timeline, dt.date(2027, 1, 1)) is same_day_later
