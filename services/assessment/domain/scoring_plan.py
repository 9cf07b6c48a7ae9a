"""A scheme compiled for scoring: each indicator's value rule and sources, each weight, looked up once.

Scoring a province (20,000 targets x 50 indicators x 3 sources) calls the value rule three
million times; resolving the method, the bounds and the weights once per indicator, not once per
value, is what keeps that in pure Python. Nothing here rounds: scoring rounds once, at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from services.assessment.domain.scheme import Effect, Indicator, Method, Scheme
from services.common.errors import Validator

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class Overrides:
    """What-if weights (PreviewResults): percent by dimension code and by source code.

    A code left out keeps the scheme's weight; check_overrides refuses unknown codes and sums
    other than 100.
    """

    dimension_weights: Mapping[str, Decimal] = field(default_factory=dict)
    source_weights: Mapping[str, Decimal] = field(default_factory=dict)


ValueRule = Callable[[Decimal], Decimal]


def value_rule(indicator: Indicator) -> ValueRule:
    """v(i, s): the points one source's submitted value earns on this indicator."""
    top = indicator.max_score
    if indicator.method is Method.BOOLEAN:
        return lambda x: top if x else ZERO
    if indicator.method is Method.LINEAR:
        low, high = indicator.low or ZERO, indicator.high or ZERO
        if high == low:  # a degenerate band: reaching it is all or nothing
            return lambda x: top if x >= high else ZERO
        span = high - low  # negative when lower is better; the fraction still runs 0 -> 1
        return lambda x: top * min(ONE, max(ZERO, (x - low) / span))
    if indicator.method is Method.TIERS:
        highest_first = sorted(indicator.tiers, key=lambda t: t.at_least, reverse=True)

        def tier(x: Decimal) -> Decimal:
            for reached in highest_first:  # the best tier is the highest threshold reached
                if x >= reached.at_least:
                    return min(top, reached.score)
            return ZERO

        return tier
    if indicator.method is Method.COUNT:
        each = indicator.points_each or ZERO
        cap = indicator.cap if indicator.cap is not None else top
        return lambda x: min(max(x, ZERO) * each, cap)
    # MANUAL: refused outside [0, max] on input; kept inside here only because a draft scheme
    # in a preview may have lowered a maximum the round's values were given under.
    return lambda x: x if ZERO <= x <= top else min(max(x, ZERO), top)


@dataclass(frozen=True)
class PlannedIndicator:
    indicator: Indicator
    rule: ValueRule
    sources: tuple[str, ...]
    weights: tuple[Decimal, ...]  # the sources' weights, in the same order
    weight_sum: Decimal

    @property
    def pairs(self) -> tuple[tuple[str, Decimal], ...]:
        return self._pairs

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pairs", tuple(zip(self.sources, self.weights, strict=True)))


@dataclass(frozen=True)
class PlannedDimension:
    code: str
    weight: Decimal
    max_points: Decimal  # sum of the indicators' maxima: the dimension is worth `weight` of it
    indicators: tuple[PlannedIndicator, ...]


@dataclass(frozen=True)
class Plan:
    scheme: Scheme
    dimensions: tuple[PlannedDimension, ...]
    grade_index: Mapping[str, int]
    deduct: Mapping[str, Decimal]  # DEDUCT items: code -> points
    veto: frozenset[str]
    cap: Mapping[str, int]  # CAP items: code -> the index of the grade they cap at


def plan(scheme: Scheme, overrides: Overrides | None = None) -> Plan:
    overrides = overrides or Overrides()
    source_weight = {s.code: overrides.source_weights.get(s.code, s.weight) for s in scheme.sources}
    all_sources = tuple(s.code for s in scheme.sources)
    grade_index = {band.code: index for index, band in enumerate(scheme.grades)}
    dimensions = []
    for dimension in scheme.dimensions:
        indicators = []
        for indicator in dimension.indicators:
            sources = tuple(s for s in (indicator.sources or all_sources) if s in source_weight)
            weights = tuple(source_weight[s] for s in sources)
            if sum(weights, ZERO) == 0:  # every scoring source weighs 0 under an override: plain mean
                weights = tuple(ONE for _ in sources)
            indicators.append(
                PlannedIndicator(indicator, value_rule(indicator), sources, weights, sum(weights, ZERO))
            )
        dimensions.append(
            PlannedDimension(
                dimension.code,
                overrides.dimension_weights.get(dimension.code, dimension.weight),
                sum((i.max_score for i in dimension.indicators), ZERO),
                tuple(indicators),
            )
        )
    items = scheme.negative_items
    return Plan(
        scheme=scheme,
        dimensions=tuple(dimensions),
        grade_index=grade_index,
        deduct={n.code: n.points or ZERO for n in items if n.effect is Effect.DEDUCT},
        veto=frozenset(n.code for n in items if n.effect is Effect.VETO),
        cap={
            n.code: grade_index[n.cap_grade]
            for n in items
            if n.effect is Effect.CAP and n.cap_grade in grade_index
        },
    )


def check_overrides(v: Validator, scheme: Scheme, overrides: Overrides,
                    path: str = "weight_overrides") -> None:
    """Overridden weights must name the scheme's codes, be in [0, 100], and still sum to 100."""
    for kind, weights, items in (
        ("dimension_weights", overrides.dimension_weights, scheme.dimensions),
        ("source_weights", overrides.source_weights, scheme.sources),
    ):
        known = {item.code: item.weight for item in items}
        for code, weight in weights.items():
            field_path = f"{path}.{kind}[{code}]"
            if code not in known:
                v.add(field_path, f"方案中没有代码 {code}", f"the scheme has no code {code}")
            elif not ZERO <= weight <= 100:
                v.add(field_path, "权重应在 0 到 100 之间", "a weight must be between 0 and 100")
        if weights and all(code in known for code in weights):
            total = sum((weights.get(code, w) for code, w in known.items()), ZERO)
            v.require(total == 100, f"{path}.{kind}", f"调整后权重合计为 {total}，应为 100",
                      f"the weights sum to {total} after the overrides; they must sum to 100")
