"""A review round (考核轮次): one scheme revision, one period, one scope, frozen targets, its stages.

The round references its scheme by id and revision; a published revision never changes, so that
reference is the freeze. Targets are enumerated from the directory when the round is created and
never re-read. Scores are kept as the current value per (target, source, indicator); every change
to them, with its before and after, is a row of the round's audit trail (`RoundEvent`), which
only ever grows.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal

from services.assessment.domain.scheme import Indicator, Method, Scheme, Stage
from services.common.errors import FailedPrecondition, Validator

# A measured value (LINEAR, TIERS) or a count larger than this is a typo, not a village's data.
MEASURE_LIMIT = Decimal("1000000000")


class RoundState(enum.StrEnum):
    RUNNING = "RUNNING"
    FINALIZED = "FINALIZED"


class ObjectionState(enum.StrEnum):
    OPEN = "OPEN"
    UPHELD = "UPHELD"  # 异议成立: the decision may adjust the target's scores
    REJECTED = "REJECTED"  # 异议不成立


class EventKind(enum.StrEnum):
    ROUND_CREATED = "ROUND_CREATED"
    SCORES_SUBMITTED = "SCORES_SUBMITTED"
    NEGATIVE_ITEM_RECORDED = "NEGATIVE_ITEM_RECORDED"
    NEGATIVE_ITEM_WITHDRAWN = "NEGATIVE_ITEM_WITHDRAWN"
    ROUND_ADVANCED = "ROUND_ADVANCED"
    OBJECTION_FILED = "OBJECTION_FILED"
    OBJECTION_RESOLVED = "OBJECTION_RESOLVED"


@dataclass(frozen=True)
class RoundTarget:
    """One assessed target, frozen at creation with its township (for ranking within it)."""

    target_id: str  # the unit id, or the member id for SECRETARY targets
    unit_id: str
    member_id: str  # "" unless a SECRETARY target
    township_id: str
    display_name: str
    unit_path: str  # the unit's path then, so a clerk's subtree is a prefix match


@dataclass
class Round:
    tenant: str
    id: str
    scheme_id: str
    scheme_revision: int
    display_name: str
    period: str
    scope_unit_id: str
    scope_path: str
    stage_index: int
    state: RoundState
    stage_started_at: dt.datetime
    created_at: dt.datetime
    created_by: str
    target_count: int = 0
    finalized_at: dt.datetime | None = None
    version: int = 1
    last_event_seq: int = 0  # the audit trail's last line

    @property
    def finalized(self) -> bool:
        return self.state is RoundState.FINALIZED

    def stage(self, scheme: Scheme) -> Stage:
        """The current stage; a finalized round has none (FAILED_PRECONDITION)."""
        if self.finalized:
            raise FailedPrecondition(
                "ROUND_FINALIZED", f"考核轮次 {self.id} 已结束，不能再修改",
                f"round {self.id} is finalized and can no longer change", {"round": self.id})
        return scheme.stages[self.stage_index]

    def advance(self, scheme: Scheme, now: dt.datetime) -> tuple[Stage, Stage | None]:
        """Leave the current stage (the checks are the caller's): (left, entered or None if finalized)."""
        left = self.stage(scheme)
        self.version += 1
        self.stage_started_at = now
        if self.stage_index + 1 == len(scheme.stages):
            self.state = RoundState.FINALIZED
            self.finalized_at = now
            return left, None
        self.stage_index += 1
        return left, scheme.stages[self.stage_index]


@dataclass(frozen=True)
class ScoreValue:
    """The current value one source gave one indicator of one target."""

    target_id: str
    source: str
    indicator: str
    value: Decimal
    note: str
    submitted_by: str
    submitted_at: dt.datetime


@dataclass(frozen=True)
class ScoreSubmission:
    """A SubmitScores (or an objection's adjustment): some indicators of one source for one target."""

    target_id: str
    source: str
    values: dict[str, Decimal]
    note: str = ""

    def changes(self, current: dict[str, Decimal]) -> tuple[dict[str, str], dict[str, str]]:
        """(before, after) of the indicators this submission changes, as text for the audit trail."""
        changed = sorted(code for code, value in self.values.items() if current.get(code) != value)
        before = {code: str(current[code]) for code in changed if code in current}
        after = {code: str(self.values[code]) for code in changed}
        return before, after


@dataclass
class NegativeItemRecord:
    """A negative item (负面清单事项) recorded against one target, with its evidence."""

    id: str
    target_id: str
    code: str
    evidence: str
    recorded_by: str
    recorded_at: dt.datetime
    withdrawn_by: str = ""
    withdrawn_at: dt.datetime | None = None
    withdraw_reason: str = ""

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None

    def withdraw(self, who: str, reason: str, now: dt.datetime) -> None:
        if not self.active:
            raise FailedPrecondition(
                "NEGATIVE_ITEM_WITHDRAWN", f"负面清单事项 {self.code} 已撤销",
                f"negative item {self.code} was already withdrawn", {"negative_item": self.code})
        self.withdrawn_by, self.withdrawn_at, self.withdraw_reason = who, now, reason


@dataclass
class Objection:
    """An objection (异议) to a target's provisional result, filed during public notice."""

    id: str
    target_id: str
    reason: str
    filed_by: str
    filed_at: dt.datetime
    state: ObjectionState = ObjectionState.OPEN
    decision_note: str = ""
    resolved_by: str = ""
    resolved_at: dt.datetime | None = None
    adjustment: ScoreSubmission | None = None  # what an UPHELD decision changed
    version: int = 1

    def resolve(self, decision: ObjectionState, note: str, who: str, now: dt.datetime,
                adjustment: ScoreSubmission | None = None) -> None:
        if self.state is not ObjectionState.OPEN:
            raise FailedPrecondition(
                "OBJECTION_RESOLVED", f"异议 {self.id} 已处理（{self.state.value}）",
                f"objection {self.id} is already resolved ({self.state.value})", {"objection": self.id})
        self.state, self.decision_note, self.resolved_by, self.resolved_at = decision, note, who, now
        self.adjustment = adjustment
        self.version += 1


@dataclass(frozen=True)
class RoundEvent:
    """One line of the audit trail: who did what, when, to what, with before and after."""

    kind: EventKind
    actor: str  # the token's subject
    actor_role: str
    at: dt.datetime
    stage: str  # the stage code it happened in
    target_id: str = ""
    summary: str = ""  # zh-CN first: "评分 3 项", "阶段 街考核 → 群众测评"
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)
    seq: int = 0  # assigned when stored: the order of the trail


def check_value(indicator: Indicator, value: Decimal, field_path: str, v: Validator) -> None:
    """The value one source gives `indicator`, judged by its method."""
    method = indicator.method
    if method is Method.MANUAL:
        v.require(Decimal(0) <= value <= indicator.max_score, field_path,
                  f"指标 {indicator.code} 的得分应在 0 到 {indicator.max_score} 之间，收到 {value}",
                  f"indicator {indicator.code} takes a score between 0 and {indicator.max_score}, got {value}")
    elif method is Method.BOOLEAN:
        v.require(value in (Decimal(0), Decimal(1)), field_path,
                  f"指标 {indicator.code} 为是/否项，只能填 1（是）或 0（否），收到 {value}",
                  f"indicator {indicator.code} is yes/no: 1 or 0, got {value}")
    elif method is Method.COUNT:
        v.require(value >= 0 and value == value.to_integral_value() and value <= MEASURE_LIMIT, field_path,
                  f"指标 {indicator.code} 为计次项，应为不小于 0 的整数，收到 {value}",
                  f"indicator {indicator.code} is a count: a whole number of at least 0, got {value}")
    else:  # LINEAR, TIERS: a measured value, scored by the scheme's bounds or tiers
        v.require(abs(value) <= MEASURE_LIMIT, field_path,
                  f"指标 {indicator.code} 的测量值超出范围（绝对值不超过 {MEASURE_LIMIT}）",
                  f"indicator {indicator.code}: the measured value must be at most {MEASURE_LIMIT} in magnitude")


def indicator_index(scheme: Scheme) -> dict[str, Indicator]:
    return {indicator.code: indicator for dimension in scheme.dimensions for indicator in dimension.indicators}


def check_submission(scheme: Scheme, source: str, values: dict[str, Decimal], v: Validator,
                     field_prefix: str = "values") -> None:
    """Each value against the frozen scheme: a known indicator, scored by this source, valid for its method."""
    indicators = indicator_index(scheme)
    for code, value in values.items():
        path = f"{field_prefix}[{code}]"
        indicator = indicators.get(code)
        if indicator is None:
            v.add(path, f"方案中没有指标 {code}", f"the scheme has no indicator {code}")
        elif indicator.sources and source not in indicator.sources:
            v.add(path, f"指标 {code} 不由来源 {source} 评分（只由 {'、'.join(indicator.sources)}）",
                  f"indicator {code} is not scored by source {source} (only {', '.join(indicator.sources)})")
        else:
            check_value(indicator, value, path, v)
