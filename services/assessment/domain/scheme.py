"""An assessment scheme as data: what is assessed, by which indicators, from which sources, graded how.

A scheme has revisions 1..n; a revision is a DRAFT until published, then never changes. A round
freezes the revision it runs on, so a later revision never alters a running round.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal


class TargetKind(enum.StrEnum):
    VILLAGE_ORG = "VILLAGE_ORG"      # 村党组织: units of type VILLAGE
    TOWNSHIP_ORG = "TOWNSHIP_ORG"    # 乡镇党委: units of type TOWNSHIP
    SECRETARY = "SECRETARY"          # 村党组织书记: current SECRETARY posts of the villages in scope
    WORK_STATION = "WORK_STATION"    # 党建工作站: units of type WORK_STATION


class PeriodKind(enum.StrEnum):
    MONTH = "MONTH"          # "2026-05"
    QUARTER = "QUARTER"      # "2026Q2"
    HALF_YEAR = "HALF_YEAR"  # "2026H1"
    YEAR = "YEAR"            # "2026"


class Method(enum.StrEnum):
    MANUAL = "MANUAL"    # a score in [0, max_score]
    BOOLEAN = "BOOLEAN"  # yes -> max_score, no -> 0
    LINEAR = "LINEAR"    # measured value: low -> 0, high -> max_score, clamped; high < low means lower is better
    TIERS = "TIERS"      # measured value: the score of the best tier whose at_least it reaches, else 0
    COUNT = "COUNT"      # a count x points_each, at most cap (cap defaults to max_score)


class Effect(enum.StrEnum):
    DEDUCT = "DEDUCT"  # subtract `points` from the total (never below 0)
    VETO = "VETO"      # 一票否决: the lowest grade, whatever the score
    CAP = "CAP"        # at most the grade `cap_grade` (e.g. 评星定级: no four or five stars)


class StageKind(enum.StrEnum):
    SCORING = "SCORING"              # the stage's sources are submitted (街考核, 群众测评, 自评)
    REVIEW = "REVIEW"                # 县级联审: the county may adjust scores and record negative items
    PUBLIC_NOTICE = "PUBLIC_NOTICE"  # 公开公示: provisional results shown for `days`; objections filed
    RECHECK = "RECHECK"              # 市级复核: the city confirms or adjusts


class Actor(enum.StrEnum):
    CLERK = "CLERK"    # a clerk whose subtree holds the target (a township scores its villages)
    COUNTY = "COUNTY"  # county_admin (and operator)
    CITY = "CITY"      # the county's city (a city token; writes only where a stage allows it)


class State(enum.StrEnum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"


@dataclass(frozen=True)
class Tier:
    at_least: Decimal  # measured value >= at_least earns `score`
    score: Decimal
    label_zh: str = ""


@dataclass(frozen=True)
class Indicator:
    code: str  # unique within the scheme, e.g. "LOYALTY_1"
    name_zh: str
    name_en: str
    max_score: Decimal
    method: Method
    description: str = ""  # where the articles are silent: "placeholder, the county must confirm"
    low: Decimal | None = None  # LINEAR
    high: Decimal | None = None  # LINEAR
    tiers: tuple[Tier, ...] = ()  # TIERS, ascending at_least
    points_each: Decimal | None = None  # COUNT
    cap: Decimal | None = None  # COUNT; defaults to max_score
    sources: tuple[str, ...] = ()  # source codes that score it; () = every source of the scheme


@dataclass(frozen=True)
class Dimension:
    code: str
    name_zh: str
    name_en: str
    weight: Decimal  # percent; the dimensions' weights sum to 100
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Source:
    code: str  # ORGANIZATION (组织考核), MASS (群众评议), SELF (自我评价), or the county's own
    name_zh: str
    name_en: str
    weight: Decimal  # percent; the sources' weights sum to 100


@dataclass(frozen=True)
class NegativeItem:
    code: str
    name_zh: str
    name_en: str
    effect: Effect
    points: Decimal | None = None  # DEDUCT
    cap_grade: str | None = None  # CAP: a grade code of this scheme


@dataclass(frozen=True)
class GradeBand:
    code: str  # e.g. EXCELLENT, GOOD, PASS, FAIL or FIVE_STAR..ONE_STAR, ADVANCED/STANDARD/BELOW
    name_zh: str
    name_en: str
    min_score: Decimal  # a total >= min_score earns this band; bands are ordered best first; the last has 0
    stars: int = 0  # star level this band means (评星定级); 0 = not a star grade


@dataclass(frozen=True)
class Stage:
    code: str
    name_zh: str
    name_en: str
    kind: StageKind
    actors: tuple[Actor, ...]  # who may submit (and, with COUNTY always, advance) in this stage
    sources: tuple[str, ...] = ()  # SCORING: the sources submitted in this stage
    days: int = 0  # PUBLIC_NOTICE: how long the notice lasts (calendar days)


@dataclass(frozen=True)
class Title:
    code: str  # e.g. FIVE_GOOD_VILLAGE
    name_zh: str  # 五个好村党组织
    name_en: str
    grades: tuple[str, ...]  # grade codes that earn (and keep) the title


@dataclass(frozen=True)
class ResultRules:
    """What finalizing a round does with its results; each rule is an event (assessment_events.proto)."""

    commend_grades: tuple[str, ...] = ()  # targets with these grades -> target_commended
    remind_last_place: bool = True  # last place -> reminder_letter_due (末位发函提醒)
    talk_after_last_places: int = 2  # last place in this many consecutive rounds -> admonishing_talk_due; 0 = never
    weak_at_or_below: str | None = None  # unit targets graded here or worse -> flagged 软弱涣散 + a rectification case
    title: Title | None = None  # granted to those with its grades, revoked from last round's holders who lost it
    sets_star_level: bool = False  # the organization sets each unit's star level from its band's stars


@dataclass(frozen=True)
class Scheme:
    """One revision of a scheme."""

    tenant: str
    id: str  # tenants/{t}/schemes/{id}; [a-z][a-z0-9-]{0,39}
    revision: int
    state: State
    display_name: str
    description: str
    target_kind: TargetKind
    period_kind: PeriodKind
    dimensions: tuple[Dimension, ...]
    sources: tuple[Source, ...]
    negative_items: tuple[NegativeItem, ...]
    grades: tuple[GradeBand, ...]
    stages: tuple[Stage, ...]
    result_rules: ResultRules = field(default_factory=ResultRules)
    template: str = ""  # the shipped template it was adapted from, if any
