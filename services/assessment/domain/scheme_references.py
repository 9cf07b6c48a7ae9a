"""References between the parts of a scheme: every code one part names exists in the part it names.

Indicators and stages name sources, negative items and result rules name grades. Every source is
scored in exactly one SCORING stage, so a round always knows when each value is due.
"""

from __future__ import annotations

from dataclasses import replace

from services.assessment.domain import scheme_codes
from services.assessment.domain.scheme import Effect, Scheme, StageKind, TargetKind
from services.assessment.domain.scheme_bounds import TALK_AFTER_MAX
from services.common import identifiers
from services.common.errors import Validator


def _exists(v: Validator, value: str, known: set[str], path: str, what_zh: str, what_en: str) -> None:
    if value and known:  # with nothing to name, the missing part is already told
        v.require(value in known, path, f"{what_zh}中没有 {value}（可选：{'、'.join(sorted(known))}）",
                  f"names no {what_en} of this scheme: {value} (known: {', '.join(sorted(known))})")


def _sources(v: Validator, scheme: Scheme) -> None:
    known = {s.code for s in scheme.sources if s.code}
    for i, d in enumerate(scheme.dimensions):
        for k, ind in enumerate(d.indicators):
            for j, code in enumerate(ind.sources):
                _exists(v, code, known, f"dimensions[{i}].indicators[{k}].sources[{j}]", "评分来源", "source")
    scored_in: dict[str, int] = {}
    for i, stage in enumerate(scheme.stages):
        if stage.kind is not StageKind.SCORING:
            continue
        for j, code in enumerate(stage.sources):
            where = f"stages[{i}].sources[{j}]"
            _exists(v, code, known, where, "评分来源", "source")
            if code in scored_in:
                v.add(where, f"已在 stages[{scored_in[code]}] 评分，每个来源只在一个阶段评分",
                      f"is already scored in stages[{scored_in[code]}]; each source is scored in one stage")
            scored_in.setdefault(code, i)
    if scheme.stages:
        for i, source in enumerate(scheme.sources):
            if source.code and source.code not in scored_in:
                v.add(f"sources[{i}]", f"{source.code} 未在任何评分阶段（SCORING）评分",
                      f"{source.code} is scored in no SCORING stage")


def _result_rules(v: Validator, scheme: Scheme, known: set[str]) -> Scheme:
    rules = scheme.result_rules
    commend = []
    for k, grade in enumerate(rules.commend_grades):
        code = identifiers.check(v, grade, f"result_rules.commend_grades[{k}]")
        _exists(v, code, known, f"result_rules.commend_grades[{k}]", "等次", "grade")
        if v.require(code not in commend, f"result_rules.commend_grades[{k}]", "重复", "is listed twice"):
            commend.append(code)
    v.require(0 <= rules.talk_after_last_places <= TALK_AFTER_MAX, "result_rules.talk_after_last_places",
              f"应在0到{TALK_AFTER_MAX}之间（0 表示不谈话）", f"must be between 0 and {TALK_AFTER_MAX} (0: never)")
    weak = identifiers.check(v, rules.weak_at_or_below, "result_rules.weak_at_or_below") if rules.weak_at_or_below \
        else None
    _exists(v, weak or "", known, "result_rules.weak_at_or_below", "等次", "grade")
    unit_targets = scheme.target_kind is not TargetKind.SECRETARY
    if weak and not unit_targets:
        v.add("result_rules.weak_at_or_below", "考核对象为书记时不能认定软弱涣散（只适用于组织）",
              "applies to unit targets only, not SECRETARY")
    if rules.sets_star_level:
        v.require(unit_targets, "result_rules.sets_star_level", "考核对象为书记时不能定星级",
                  "applies to unit targets only, not SECRETARY")
        v.require(any(g.stars for g in scheme.grades), "result_rules.sets_star_level",
                  "没有任何等次设定星级（grades[].stars）", "no grade states stars (grades[].stars)")
    title = rules.title
    if title is not None:
        grades = scheme_codes.codes(v, title.grades, "result_rules.title.grades")
        for k, grade in enumerate(grades):
            _exists(v, grade, known, f"result_rules.title.grades[{k}]", "等次", "grade")
        if not grades:
            v.add("result_rules.title.grades", "至少指定一个获得称号的等次", "must name at least one grade")
        title = replace(title, code=scheme_codes.code(v, title.code, "result_rules.title.code"), grades=grades,
                        name_zh=v.text(title.name_zh, "result_rules.title.name_zh", max_len=50),
                        name_en=v.text(title.name_en, "result_rules.title.name_en", max_len=100, required=False))
    return replace(scheme, result_rules=replace(rules, commend_grades=tuple(commend), weak_at_or_below=weak,
                                                title=title))


def check_references(v: Validator, scheme: Scheme) -> Scheme:
    """Record every dangling reference; answers the scheme with its result rules' codes normalised."""
    grades = {g.code for g in scheme.grades if g.code}
    _sources(v, scheme)
    for i, item in enumerate(scheme.negative_items):
        if item.effect is Effect.CAP:
            _exists(v, item.cap_grade or "", grades, f"negative_items[{i}].cap_grade", "等次", "grade")
    return _result_rules(v, scheme, grades)
