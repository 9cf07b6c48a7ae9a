"""A target's result as stored: scores in integer hundredths, the explanation as compact JSON.

SQLite has no exact decimal, so every score is kept as hundredths (`*_centi`); the explanation
(each dimension, indicator and source value) is one JSON document per target, read and written
whole, weights and maxima as exact decimal strings. Names come from the round's frozen scheme
revision when the result is shown, so the document holds codes only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from services.assessment.domain.amounts import centi, from_centi
from services.assessment.domain.result_rules import Carried, TargetDecision
from services.assessment.domain.scheme import Effect
from services.assessment.domain.scoring import TargetScore


@dataclass(frozen=True)
class Previous:
    """The same target in the previous finalized round of the scheme."""

    round_id: str
    grade: str
    total_centi: int
    rank_in_scope: int


@dataclass(frozen=True)
class ResultRecord:
    target_id: str
    unit_id: str
    member_id: str  # "" unless a SECRETARY target
    township_id: str
    unit_path: str  # the target's unit path at round creation: a clerk reads only its subtree
    display_name: str
    final: bool
    base_centi: int
    deductions_centi: int
    total_centi: int
    grade_before: str
    grade: str
    grade_index: int
    rank_in_township: int
    rank_in_scope: int
    weak: bool
    holds_title: bool
    last_place_streak: int
    explanation: dict
    previous: Previous | None
    computed_at: dt.datetime

    def carried(self) -> Carried:
        return Carried(self.grade, self.rank_in_scope, self.total_centi, self.holds_title,
                       self.last_place_streak)


def _exact_centi(value: Decimal) -> int:
    """Hundredths of a value already rounded to 0.01 (no rounding to pay for)."""
    return int(value.scaleb(2))


def explanation_of(result: TargetScore) -> dict:
    """{"d": dimensions, "n": negative items, "u": unknown codes}; see ExplainedDimension for the order.

    A source's value is stored only where its method changed the submitted number (a MANUAL score
    is its own value): a province round writes four million of them otherwise.
    """
    return {
        "d": [
            [d.code, str(d.weight), _exact_centi(d.points), str(d.max_points), _exact_centi(d.contribution), [
                [i.code, _exact_centi(i.score), [
                    [source, None if x is None else str(x), None if v is x else centi(v)]
                    for source, x, v in zip(i.sources, i.submitted, i.values, strict=True)
                ]]
                for i in d.indicators
            ]]
            for d in result.dimensions
        ],
        "n": [[n.code, n.effect.value, None if n.points is None else str(n.points), n.cap_grade, n.changed_grade]
              for n in result.negatives],
        "u": list(result.unknown_negatives),
    }


def record_of(result: TargetScore, unit_path: str, final: bool, decision: TargetDecision | None,
              previous: Previous | None, now: dt.datetime) -> ResultRecord:
    t = result.target
    return ResultRecord(
        target_id=t.target_id, unit_id=t.unit_id, member_id=t.member_id or "", township_id=t.township_id,
        unit_path=unit_path, display_name=t.display_name, final=final,
        base_centi=centi(result.base_total), deductions_centi=centi(result.deductions),
        total_centi=centi(result.total), grade_before=result.grade_before, grade=result.grade,
        grade_index=result.grade_index, rank_in_township=result.rank_in_township,
        rank_in_scope=result.rank_in_scope, weak=bool(decision and decision.weak),
        holds_title=bool(decision and decision.holds_title),
        last_place_streak=decision.last_place_streak if decision else 0,
        explanation=explanation_of(result), previous=previous, computed_at=now,
    )


@dataclass(frozen=True)
class ExplainedSource:
    source: str
    submitted: Decimal | None
    value: Decimal


@dataclass(frozen=True)
class ExplainedIndicator:
    code: str
    score: Decimal
    sources: tuple[ExplainedSource, ...]


@dataclass(frozen=True)
class ExplainedDimension:
    code: str
    weight: Decimal
    points: Decimal
    max_points: Decimal
    contribution: Decimal
    indicators: tuple[ExplainedIndicator, ...]


@dataclass(frozen=True)
class ExplainedNegative:
    code: str
    effect: Effect
    points: Decimal | None
    cap_grade: str | None
    changed_grade: bool


def _source(source: str, submitted: str | None, value_centi: int | None) -> ExplainedSource:
    x = None if submitted is None else Decimal(submitted)
    value = x if value_centi is None else from_centi(value_centi)
    return ExplainedSource(source, x, value if value is not None else Decimal(0))


def dimensions_of(explanation: dict) -> tuple[ExplainedDimension, ...]:
    return tuple(
        ExplainedDimension(code, Decimal(weight), from_centi(points), Decimal(top), from_centi(contribution), tuple(
            ExplainedIndicator(i_code, from_centi(score), tuple(
                _source(source, x, v) for source, x, v in sources
            ))
            for i_code, score, sources in indicators
        ))
        for code, weight, points, top, contribution, indicators in explanation["d"]
    )


def negatives_of(explanation: dict) -> tuple[ExplainedNegative, ...]:
    return tuple(
        ExplainedNegative(code, Effect(effect), None if points is None else Decimal(points), cap, changed)
        for code, effect, points, cap, changed in explanation["n"]
    )
