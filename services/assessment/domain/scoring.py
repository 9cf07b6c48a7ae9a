"""Scoring a round: the one function provisional results, final results and previews all call.

Per target (design "Scoring"): each source's value on each indicator, the indicator's score as
the sources' weighted mean, each dimension worth its weight of its indicators' maxima, DEDUCT
items off the total (never below 0), the grade band the total earns, then VETO (the lowest
band) and CAP (at most the cap's band); ranks by (grade, -total) with ties sharing a rank, in
the township and in the round's scope. Arithmetic is Decimal, unrounded until the end; the
total is rounded half-up to 0.01 once, and the explanation shows each part rounded the same way.
"""

from __future__ import annotations

import contextlib
import decimal
import gc
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from services.assessment.domain.ranking import competition_ranks, ranks_in_groups
from services.assessment.domain.scheme import Effect, Scheme
from services.assessment.domain.scoring_plan import ZERO, Overrides, Plan, plan
from services.common.errors import FailedPrecondition

CENT = Decimal("0.01")
ValueKey = tuple[str, str, str]  # (target_id, source code, indicator code)


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """A province round builds millions of small tuples and lists that hold no cycles; the cyclic
    collector scanning them (and the three million values read) again and again cost more than
    the scoring, so it waits until the work is done. Reference counting frees as usual."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def cents(value: Decimal) -> Decimal:
    """Half-up to 0.01, the way a county's score sheet rounds (2.345 -> 2.35)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Target:
    """A target frozen when the round was created (rounds.RoundTarget has the same fields)."""

    target_id: str  # the unit id, or the member id of a SECRETARY target
    unit_id: str
    member_id: str | None  # SECRETARY targets only
    township_id: str  # the township at round creation: township ranks use it, a later move does not
    display_name: str


@dataclass(frozen=True)
class Gap:
    """A value the round still lacks: which target, which source, which indicator."""

    target_id: str
    source: str
    indicator: str


class IndicatorScore(NamedTuple):
    """One indicator of one target (a named tuple: a province round makes a million of them)."""

    code: str
    max_score: Decimal
    sources: tuple[str, ...]  # the sources that score it, in the scheme's order
    submitted: tuple[Decimal | None, ...]  # what each source submitted (None: missing, in a preview)
    values: tuple[Decimal, ...]  # v(i, s) per source, exact (rounded where shown or stored)
    score: Decimal  # the sources' weighted mean, rounded


@dataclass(frozen=True, slots=True)
class DimensionScore:
    code: str
    weight: Decimal  # percent (after overrides)
    points: Decimal  # sum of its indicator scores, rounded
    max_points: Decimal
    contribution: Decimal  # weight * points / max_points, rounded (the total uses it unrounded)
    indicators: tuple[IndicatorScore, ...]


@dataclass(frozen=True, slots=True)
class AppliedNegative:
    """A negative item recorded on the target, and what it did to the result."""

    code: str
    effect: Effect
    points: Decimal | None  # DEDUCT: the points it takes off
    cap_grade: str | None  # CAP: the grade it caps at
    changed_grade: bool  # VETO/CAP: whether it made the grade worse than the score earned


@dataclass(frozen=True, slots=True)
class TargetScore:
    target: Target
    dimensions: tuple[DimensionScore, ...]
    base_total: Decimal  # sum of the contributions, rounded
    deductions: Decimal  # sum of the DEDUCT points
    total: Decimal  # max(0, base - deductions), rounded half-up once
    grade_before: str  # the band the total earns
    grade: str  # after vetoes and caps
    grade_index: int  # position of `grade` in the scheme's bands, 0 = best
    negatives: tuple[AppliedNegative, ...]
    unknown_negatives: tuple[str, ...]  # recorded codes this scheme does not have (a draft in a preview)
    missing: int  # values missing and counted as 0 (previews only; finalizing refuses gaps)
    rank_in_township: int
    rank_in_scope: int

    @property
    def rank_key(self) -> tuple[int, Decimal]:
        return (self.grade_index, -self.total)


@dataclass(frozen=True)
class Scoring:
    scheme: Scheme
    results: tuple[TargetScore, ...]  # by rank in scope, then target id

    def of(self, target_id: str) -> TargetScore:
        return self._by_id()[target_id]

    def _by_id(self) -> dict[str, TargetScore]:
        cached = self.__dict__.get("_index")
        if cached is None:
            cached = {r.target.target_id: r for r in self.results}
            object.__setattr__(self, "_index", cached)
        return cached


@dataclass(frozen=True)
class ScoringInput:
    """What a round has collected: its frozen targets, the current values, the negative items."""

    targets: tuple[Target, ...]
    values: Mapping[ValueKey, Decimal]
    negatives: Mapping[str, tuple[str, ...]]  # target id -> recorded codes, withdrawn ones excluded

    @classmethod
    def of(cls, targets: Iterable, values: Mapping[ValueKey, Decimal],
           negatives: Mapping[str, Iterable[str]] | None = None) -> ScoringInput:
        frozen = tuple(
            t if isinstance(t, Target)
            else Target(t.target_id, t.unit_id, t.member_id or None, t.township_id, t.display_name)
            for t in targets
        )
        return cls(frozen, values, {k: tuple(v) for k, v in (negatives or {}).items()})


def gaps(scheme: Scheme, targets: Iterable, values: Mapping[ValueKey, Decimal],
         sources: Iterable[str] | None = None) -> tuple[Gap, ...]:
    """Every (target, source, indicator) without a value, limited to `sources` when given.

    A round refuses to leave a SCORING stage (or to finalize) while this is not empty.
    """
    wanted = None if sources is None else set(sources)
    needed = [
        (source, p.indicator.code)
        for d in plan(scheme).dimensions
        for p in d.indicators
        for source in p.sources
        if wanted is None or source in wanted
    ]
    return tuple(
        Gap(t.target_id, source, code)
        for t in targets
        for source, code in needed
        if (t.target_id, source, code) not in values
    )


def score(scheme: Scheme, inputs: ScoringInput, overrides: Overrides | None = None, *,
          missing_as_zero: bool = False) -> Scoring:
    """Score every target; a missing value is refused unless `missing_as_zero` (previews)."""
    compiled = plan(scheme, overrides)
    # One context for the whole run (not one per value): 28 digits, whatever the caller set.
    with no_cycle_collection(), decimal.localcontext(decimal.Context(prec=28, rounding=ROUND_HALF_UP)):
        unranked = [_score_target(compiled, t, inputs, missing_as_zero) for t in inputs.targets]
    keys = [r.rank_key for r in unranked]
    in_scope = competition_ranks(keys)
    in_township = ranks_in_groups(keys, [r.target.township_id for r in unranked])
    ranked = [
        _with_ranks(r, township, scope)
        for r, township, scope in zip(unranked, in_township, in_scope, strict=True)
    ]
    ranked.sort(key=lambda r: (r.rank_in_scope, r.target.target_id))
    return Scoring(scheme, tuple(ranked))


def _with_ranks(r: TargetScore, township: int, scope: int) -> TargetScore:
    return TargetScore(
        r.target, r.dimensions, r.base_total, r.deductions, r.total, r.grade_before, r.grade,
        r.grade_index, r.negatives, r.unknown_negatives, r.missing, township, scope,
    )


def _score_target(compiled: Plan, target: Target, inputs: ScoringInput,
                  missing_as_zero: bool) -> TargetScore:
    # The hot loop of a province round (three million values): plain loops, no generators.
    get, tid = inputs.values.get, target.target_id
    missing = 0
    dimensions = []
    base = ZERO
    for d in compiled.dimensions:
        points = ZERO
        explained = []
        for p in d.indicators:
            code, rule = p.indicator.code, p.rule
            submitted, source_values = [], []
            weighted = ZERO
            for source, weight in p.pairs:
                x = get((tid, source, code))
                submitted.append(x)
                if x is None:
                    if not missing_as_zero:
                        raise _missing(tid, source, code)
                    missing += 1
                    source_values.append(ZERO)
                    continue
                v = rule(x)
                source_values.append(v)
                weighted += weight * v
            indicator_score = weighted / p.weight_sum if p.weight_sum else ZERO
            points += indicator_score
            explained.append(IndicatorScore(
                code, p.indicator.max_score, p.sources, tuple(submitted), tuple(source_values),
                indicator_score.quantize(CENT, rounding=ROUND_HALF_UP),
            ))
        contribution = d.weight * points / d.max_points if d.max_points else ZERO
        base += contribution
        dimensions.append(DimensionScore(
            d.code, d.weight, cents(points), d.max_points, cents(contribution), tuple(explained)
        ))
    return _grade(compiled, target, tuple(dimensions), base, inputs.negatives.get(tid, ()), missing)


def _grade(compiled: Plan, target: Target, dimensions: tuple[DimensionScore, ...], base: Decimal,
           recorded: Iterable[str], missing: int) -> TargetScore:
    # A situation applies or it does not: the same code recorded twice counts once.
    codes = sorted(set(recorded))
    known = {n.code: n for n in compiled.scheme.negative_items}
    deductions = sum((compiled.deduct[c] for c in codes if c in compiled.deduct), ZERO)
    total = cents(max(ZERO, base - deductions))
    bands = compiled.scheme.grades
    earned = next((i for i, band in enumerate(bands) if total >= band.min_score), len(bands) - 1)
    worst = len(bands) - 1
    final = earned
    for c in codes:
        if c in compiled.veto:
            final = worst
        elif c in compiled.cap:
            final = max(final, compiled.cap[c])
    applied = tuple(
        AppliedNegative(
            c,
            known[c].effect,
            compiled.deduct.get(c),
            known[c].cap_grade if c in compiled.cap else None,
            (c in compiled.veto and earned < worst) or (c in compiled.cap and compiled.cap[c] > earned),
        )
        for c in codes
        if c in known
    )
    return TargetScore(
        target=target,
        dimensions=dimensions,
        base_total=cents(base),
        deductions=deductions,
        total=total,
        grade_before=bands[earned].code,
        grade=bands[final].code,
        grade_index=final,
        negatives=applied,
        unknown_negatives=tuple(c for c in codes if c not in known),
        missing=missing,
        rank_in_township=0,
        rank_in_scope=0,
    )


def _missing(target_id: str, source: str, indicator: str) -> FailedPrecondition:
    return FailedPrecondition(
        "SCORES_MISSING",
        f"考核对象 {target_id} 缺少评分来源 {source} 对指标 {indicator} 的评分",
        f"target {target_id} has no score from source {source} for indicator {indicator}",
        {"target": target_id, "source": source, "indicator": indicator},
    )
