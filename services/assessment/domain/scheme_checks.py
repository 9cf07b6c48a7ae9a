"""The pure check of a scheme revision: every problem at once, each with its path.

`clean_scheme` answers the revision as it would be stored (names NFC and stripped, codes
normalised so a full-width ＦＩＶＥ＿ＳＴＡＲ is FIVE_STAR) and every problem
(`dimensions[1].indicators[3].max_score`, zh-CN and English); `check_scheme` only the problems.
Bounds live in scheme_bounds; one indicator's own check in indicator_checks; references between
parts (sources, grades, stages, result rules) here.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from services.assessment.domain.indicator_checks import check_indicator
from services.assessment.domain.scheme import (
    Actor,
    Dimension,
    Effect,
    GradeBand,
    NegativeItem,
    PeriodKind,
    Scheme,
    Source,
    Stage,
    StageKind,
    TargetKind,
)
from services.assessment.domain.scheme_bounds import (
    DESCRIPTION_MAX,
    DISPLAY_NAME_MAX,
    INDICATOR_DESCRIPTION_MAX,
    MAX_INDICATORS,
    MAX_LIST,
    MAX_STAGES,
    NAME_EN_MAX,
    NAME_MAX,
    NOTICE_DAYS,
    PERCENT,
    SCORE_MAX,
    STARS,
)
from services.assessment.domain.scheme_codes import code, codes, enum_set
from services.assessment.domain.scheme_references import check_references
from services.common import identifiers
from services.common.errors import FieldViolation, Validator


def _names(v: Validator, part, path: str) -> dict:
    return {"code": code(v, part.code, f"{path}.code"),
            "name_zh": v.text(part.name_zh, f"{path}.name_zh", max_len=NAME_MAX),
            "name_en": v.text(part.name_en, f"{path}.name_en", max_len=NAME_EN_MAX, required=False)}


def _count(v: Validator, items: tuple, path: str, what_zh: str, what_en: str, *, low: int = 1,
           high: int = MAX_LIST) -> None:
    if len(items) < low:
        v.add(path, f"至少需要{low}个{what_zh}", f"must hold at least {low} {what_en}")
    elif len(items) > high:
        v.add(path, f"最多{high}个{what_zh}", f"must hold at most {high} {what_en}")


def _unique_codes(v: Validator, parts: tuple, path: str, seen: dict[str, str] | None = None) -> None:
    """Codes unique within `parts` (and within `seen`, codes already used elsewhere in one namespace)."""
    first: dict[str, str] = {} if seen is None else seen
    for i, part in enumerate(parts):
        where = f"{path}[{i}]"
        if part.code and part.code in first:
            v.add(f"{where}.code", f"与 {first[part.code]} 的代码重复", f"duplicates the code of {first[part.code]}")
        first.setdefault(part.code, where)


def _weights(v: Validator, parts: tuple, path: str, what_zh: str, what_en: str) -> None:
    """Each weight in (0, 100]; together exactly 100 (said once all are in range)."""
    total, complete = Decimal(0), True
    for i, part in enumerate(parts):
        where = f"{path}[{i}].weight"
        if part.weight is None:
            v.add(where, "必须指定", "must be set")
            complete = False
        elif not v.require(Decimal(0) < part.weight <= PERCENT, where, "应大于0且不超过100",
                           "must be greater than 0 and at most 100"):
            complete = False
        else:
            total += part.weight
    if parts and complete and total != PERCENT:
        v.add(path, f"{what_zh}权重之和应为100，现为{total.normalize():f}",
              f"the {what_en} weights must sum to 100, not {total.normalize():f}")


def _dimension(v: Validator, d: Dimension, path: str) -> Dimension:
    names = _names(v, d, path)
    _count(v, d.indicators, f"{path}.indicators", "指标", "indicators")
    indicators = []
    for k, ind in enumerate(d.indicators):
        where = f"{path}.indicators[{k}]"
        ind = check_indicator(v, ind, where)
        indicators.append(replace(
            ind, **_names(v, ind, where), sources=codes(v, ind.sources, f"{where}.sources"),
            description=v.text(ind.description, f"{where}.description", max_len=INDICATOR_DESCRIPTION_MAX,
                               required=False, multi_line=True)))
    return replace(d, **names, indicators=tuple(indicators))


def _source(v: Validator, s: Source, path: str) -> Source:
    return replace(s, **_names(v, s, path))


def _negative_item(v: Validator, n: NegativeItem, path: str) -> NegativeItem:
    names = _names(v, n, path)
    cap_grade = identifiers.check(v, n.cap_grade, f"{path}.cap_grade") if n.cap_grade else None
    if enum_set(v, n.effect, Effect, f"{path}.effect"):
        if n.effect is Effect.DEDUCT:
            if n.points is None:
                v.add(f"{path}.points", "扣分项必须指定扣分", "must be set for DEDUCT")
            else:
                v.require(Decimal(0) < n.points <= SCORE_MAX, f"{path}.points", f"应大于0且不超过{SCORE_MAX}",
                          f"must be greater than 0 and at most {SCORE_MAX}")
        elif n.points is not None:
            v.add(f"{path}.points", "只有扣分项（DEDUCT）有扣分", "applies only to DEDUCT")
        if n.effect is Effect.CAP:
            v.require(bool(cap_grade), f"{path}.cap_grade", "限定等次项（CAP）必须指定最高等次",
                      "must name the best grade a CAP allows")
        elif cap_grade:
            v.add(f"{path}.cap_grade", "只有限定等次项（CAP）有最高等次", "applies only to CAP")
    return replace(n, **names, cap_grade=cap_grade)


def _grades(v: Validator, grades: tuple[GradeBand, ...]) -> tuple[GradeBand, ...]:
    """Best first: min_score strictly descending within 0..100, the last 0; stars 0..5, never more for a worse band."""
    _count(v, grades, "grades", "等次", "grades", low=2)
    out = []
    for i, g in enumerate(grades):
        where = f"grades[{i}]"
        names = _names(v, g, where)
        if g.min_score is None:
            v.add(f"{where}.min_score", "必须指定", "must be set")
        else:
            v.require(Decimal(0) <= g.min_score <= PERCENT, f"{where}.min_score", "应在0到100之间",
                      "must be between 0 and 100")
            previous = grades[i - 1].min_score if i else None
            if previous is not None:
                v.require(g.min_score < previous, f"{where}.min_score",
                          f"应低于上一等次 grades[{i - 1}] 的分数线（等次从好到差排列）",
                          f"must be below grades[{i - 1}].min_score: grades are ordered best first")
        v.require(STARS[0] <= g.stars <= STARS[1], f"{where}.stars", "星级应在0到5之间", "must be between 0 and 5")
        if i:
            v.require(g.stars <= grades[i - 1].stars, f"{where}.stars", f"不应多于更好的等次 grades[{i - 1}]",
                      f"must not exceed the stars of the better grades[{i - 1}]")
        out.append(replace(g, **names))
    if grades and grades[-1].min_score is not None and grades[-1].min_score != 0:
        v.add(f"grades[{len(grades) - 1}].min_score", "最后一个等次的分数线应为0（每个总分都有等次）",
              "must be 0 for the last grade, so every total has a grade")
    return tuple(out)


def _stage(v: Validator, s: Stage, path: str) -> Stage:
    names = _names(v, s, path)
    kind_ok = enum_set(v, s.kind, StageKind, f"{path}.kind")
    _count(v, s.actors, f"{path}.actors", "提交者", "actors", high=len(Actor))
    actors = []
    for k, actor in enumerate(s.actors):
        if enum_set(v, actor, Actor, f"{path}.actors[{k}]") and v.require(
                actor not in actors, f"{path}.actors[{k}]", "重复", "is listed twice"):
            actors.append(actor)
    sources = codes(v, s.sources, f"{path}.sources")
    if kind_ok and s.kind is StageKind.SCORING:
        _count(v, sources, f"{path}.sources", "评分来源", "sources")
    elif kind_ok and sources:
        v.add(f"{path}.sources", "只有评分阶段（SCORING）提交评分来源", "applies only to SCORING stages")
    if kind_ok and s.kind is StageKind.PUBLIC_NOTICE:
        low, high = NOTICE_DAYS
        v.require(low <= s.days <= high, f"{path}.days", f"公示天数应在{low}到{high}之间",
                  f"must be between {low} and {high} days")
    elif kind_ok and s.days:
        v.add(f"{path}.days", "只有公示阶段（PUBLIC_NOTICE）有天数", "applies only to PUBLIC_NOTICE stages")
    return replace(s, **names, actors=tuple(actors), sources=sources)


def clean_scheme(scheme: Scheme) -> tuple[Scheme, list[FieldViolation]]:
    """The revision as it would be stored, and every problem in it (paths relative to the scheme)."""
    v = Validator()
    display_name = v.text(scheme.display_name, "display_name", max_len=DISPLAY_NAME_MAX)
    description = v.text(scheme.description, "description", max_len=DESCRIPTION_MAX, required=False,
                         multi_line=True)
    enum_set(v, scheme.target_kind, TargetKind, "target_kind")
    enum_set(v, scheme.period_kind, PeriodKind, "period_kind")
    _count(v, scheme.dimensions, "dimensions", "考核维度", "dimensions")
    dimensions = tuple(_dimension(v, d, f"dimensions[{i}]") for i, d in enumerate(scheme.dimensions))
    _weights(v, dimensions, "dimensions", "各维度", "dimensions'")
    total = sum(len(d.indicators) for d in dimensions)
    v.require(total <= MAX_INDICATORS, "dimensions", f"全部维度最多{MAX_INDICATORS}个指标，现有{total}个",
              f"must hold at most {MAX_INDICATORS} indicators in all, not {total}")
    _count(v, scheme.sources, "sources", "评分来源", "sources")
    sources = tuple(_source(v, s, f"sources[{i}]") for i, s in enumerate(scheme.sources))
    _weights(v, sources, "sources", "各评分来源", "sources'")
    _count(v, scheme.negative_items, "negative_items", "负面清单项", "negative items", low=0)
    negative_items = tuple(_negative_item(v, n, f"negative_items[{i}]") for i, n in enumerate(scheme.negative_items))
    grades = _grades(v, scheme.grades)
    _count(v, scheme.stages, "stages", "评审阶段", "stages", high=MAX_STAGES)
    stages = tuple(_stage(v, s, f"stages[{i}]") for i, s in enumerate(scheme.stages))
    _unique_codes(v, dimensions, "dimensions")
    indicator_codes: dict[str, str] = {}
    for i, d in enumerate(dimensions):
        _unique_codes(v, d.indicators, f"dimensions[{i}].indicators", indicator_codes)
    for parts, path in ((sources, "sources"), (negative_items, "negative_items"), (grades, "grades"),
                        (stages, "stages")):
        _unique_codes(v, parts, path)
    cleaned = replace(scheme, display_name=display_name, description=description, dimensions=dimensions,
                      sources=sources, negative_items=negative_items, grades=grades, stages=stages)
    cleaned = check_references(v, cleaned)
    return cleaned, list(v.violations)


def check_scheme(scheme: Scheme) -> list[FieldViolation]:
    """Every problem of a revision, each with its path; empty when it is sound."""
    return clean_scheme(scheme)[1]
