"""Small schemes a county admin would recognise, for the scoring tests (unit and property)."""

from __future__ import annotations

from decimal import Decimal as D

from services.assessment.domain.scheme import (
    Dimension,
    Effect,
    GradeBand,
    Indicator,
    Method,
    NegativeItem,
    PeriodKind,
    Scheme,
    Source,
    State,
    TargetKind,
)
from services.assessment.domain.scoring import Target

SOURCES = (
    Source("ORGANIZATION", "组织考核", "organization assessment", D(60)),
    Source("MASS", "群众评议", "mass evaluation", D(30)),
    Source("SELF", "自我评价", "self-evaluation", D(10)),
)

STARS = (
    GradeBand("FIVE_STAR", "五星", "five stars", D(90), 5),
    GradeBand("FOUR_STAR", "四星", "four stars", D(80), 4),
    GradeBand("THREE_STAR", "三星", "three stars", D(70), 3),
    GradeBand("TWO_STAR", "二星", "two stars", D(60), 2),
    GradeBand("ONE_STAR", "一星", "one star", D(0), 1),
)


def manual(code: str, top: int = 25, sources: tuple[str, ...] = ()) -> Indicator:
    return Indicator(code, code, code, D(top), Method.MANUAL, sources=sources)


def scheme(dimensions, negatives=(), grades=STARS, sources=SOURCES, kind=TargetKind.VILLAGE_ORG,
           period=PeriodKind.YEAR) -> Scheme:
    return Scheme(
        tenant="610222", id="stars", revision=1, state=State.PUBLISHED, display_name="评星定级",
        description="", target_kind=kind, period_kind=period, dimensions=tuple(dimensions),
        sources=tuple(sources), negative_items=tuple(negatives), grades=tuple(grades), stages=(),
    )


def star_rating() -> Scheme:
    """评星定级 in small: four groups of one indicator each, 25 points each, 20 negative situations in one."""
    groups = (("ORG", "组织建设"), ("TEAM", "班子队伍"), ("DEV", "发展业绩"), ("SERVE", "服务群众"))
    return scheme(
        [Dimension(code, zh, code, D(25), (manual(f"{code}_1"),)) for code, zh in groups],
        negatives=(
            NegativeItem("BRIBERY", "换届选举拉票贿选", "vote buying", Effect.CAP, cap_grade="THREE_STAR"),
            NegativeItem("PETITION", "群体性上访", "mass petition", Effect.CAP, cap_grade="THREE_STAR"),
            NegativeItem("LATE_REPORT", "迟报材料", "late report", Effect.DEDUCT, points=D(3)),
        ),
    )


FIVE_GOOD_GRADES = (
    GradeBand("ADVANCED", "先进", "advanced", D(90)),
    GradeBand("STANDARD", "达标", "up to standard", D(60)),
    GradeBand("BELOW", "未达标", "below standard", D(0)),
)


def five_good() -> Scheme:
    """五个好村党组织 in small: five goods, three one-vote vetoes."""
    goods = ("TEAM", "CADRES", "WORK", "SYSTEM", "RESULTS")
    return scheme(
        [Dimension(code, code, code, D(20), (manual(f"{code}_1", 10),)) for code in goods],
        negatives=(
            NegativeItem("ECONOMY_VETO", "经济建设一票否决", "economy veto", Effect.VETO),
            NegativeItem("FAMILY_PLANNING_VETO", "计划生育一票否决", "family planning veto", Effect.VETO),
            NegativeItem("PUBLIC_ORDER_VETO", "社会治安一票否决", "public order veto", Effect.VETO),
        ),
        grades=FIVE_GOOD_GRADES,
    )


def village(n: int, township: str = "t1") -> Target:
    return Target(f"v{n}", f"v{n}", None, township, f"第{n}村")


def uniform(scheme_: Scheme, targets, value_of) -> dict:
    """Every source gives each target the same value `value_of(target, indicator)` on every indicator."""
    values = {}
    for target in targets:
        for dimension in scheme_.dimensions:
            for indicator in dimension.indicators:
                for source in indicator.sources or tuple(s.code for s in scheme_.sources):
                    values[(target.target_id, source, indicator.code)] = D(value_of(target, indicator))
    return values
