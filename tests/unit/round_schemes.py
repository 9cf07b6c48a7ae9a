"""A small three-stage scheme for the round unit tests (the shipped templates are core's)."""

from __future__ import annotations

from decimal import Decimal

from services.assessment.domain.scheme import (
    Actor,
    Dimension,
    Effect,
    GradeBand,
    Indicator,
    Method,
    NegativeItem,
    PeriodKind,
    Scheme,
    Source,
    Stage,
    StageKind,
    State,
    TargetKind,
)

D = Decimal


def small_scheme(**changes) -> Scheme:
    """Two sources (ORGANIZATION by the township, MASS by the county), four indicators, four stages."""
    fields = dict(
        tenant="610222", id="stars", revision=1, state=State.PUBLISHED, display_name="评星定级",
        description="", target_kind=TargetKind.VILLAGE_ORG, period_kind=PeriodKind.YEAR,
        dimensions=(
            Dimension("ORG", "组织建设", "Organization", D(60), (
                Indicator("MEETINGS", "三会一课", "Meetings", D(30), Method.MANUAL),
                Indicator("ARCHIVE", "档案齐全", "Archive", D(30), Method.BOOLEAN, sources=("ORGANIZATION",)),
            )),
            Dimension("DEV", "发展业绩", "Development", D(40), (
                Indicator("INCOME", "集体收入", "Income", D(20), Method.LINEAR, low=D(0), high=D(100)),
                Indicator("VOLUNTEER", "志愿服务", "Volunteering", D(20), Method.COUNT, points_each=D(2)),
            )),
        ),
        sources=(Source("ORGANIZATION", "组织考核", "Organization", D(70)),
                 Source("MASS", "群众评议", "Mass", D(30))),
        negative_items=(NegativeItem("CORRUPTION", "违纪", "Discipline", Effect.CAP, cap_grade="THREE_STAR"),),
        grades=(GradeBand("FIVE_STAR", "五星", "Five", D(90), 5), GradeBand("THREE_STAR", "三星", "Three", D(0), 3)),
        stages=(
            Stage("TOWNSHIP", "街考核", "Township", StageKind.SCORING, (Actor.CLERK,), ("ORGANIZATION",)),
            Stage("MASS", "群众测评", "Mass", StageKind.SCORING, (Actor.COUNTY,), ("MASS",)),
            Stage("REVIEW", "县级联审", "Review", StageKind.REVIEW, (Actor.COUNTY,)),
            Stage("NOTICE", "公开公示", "Notice", StageKind.PUBLIC_NOTICE, (Actor.COUNTY,), days=7),
            Stage("RECHECK", "市级复核", "Re-check", StageKind.RECHECK, (Actor.CITY,)),
        ),
    )
    fields.update(changes)
    return Scheme(**fields)
