"""Properties of scoring over schemes and rounds hypothesis makes up (issue 9, "Correctness beyond examples").

Each random round has 1-3 dimensions of 1-3 indicators of every method, 1-3 sources scoring all
or some indicators, 2-5 grade bands, VETO / CAP / DEDUCT items, and 1-8 targets in 1-3 townships.
"""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from services.assessment.domain import scheme as model
from services.assessment.domain.scheme import Indicator, Method
from services.assessment.domain.scoring import ScoringInput, Target, score
from tests.unit.assessment_scoring_fixtures import scheme

# Per test, not a global profile: other hypothesis tests keep their own settings.
PROPERTY = settings(max_examples=100, deadline=None)


@st.composite
def weights(draw, n: int) -> list[D]:
    """n percentages summing to 100."""
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n - 1, max_size=n - 1)))
    bounds = [0, *cuts, 100]
    return [D(bounds[i + 1] - bounds[i]) for i in range(n)]


@st.composite
def indicators(draw, code: str, source_codes: list[str]) -> Indicator:
    top = D(draw(st.sampled_from([5, 10, 20, 25])))
    method = draw(st.sampled_from(list(Method)))
    scored_by = tuple(draw(st.lists(st.sampled_from(source_codes), unique=True, max_size=2)))
    extra = {}
    if method is Method.LINEAR:
        low, high = draw(st.integers(0, 50)), draw(st.integers(0, 50))
        extra = {"low": D(low), "high": D(high)}
    elif method is Method.TIERS:
        at = sorted(draw(st.lists(st.integers(0, 100), min_size=1, max_size=3, unique=True)))
        extra = {"tiers": tuple(model.Tier(D(a), top * (k + 1) / len(at)) for k, a in enumerate(at))}
    elif method is Method.COUNT:
        extra = {"points_each": D(draw(st.integers(1, 5))), "cap": top}
    return Indicator(code, code, code, top, method, sources=scored_by, **extra)


@st.composite
def rounds(draw):
    source_codes = ["ORGANIZATION", "MASS", "SELF"][: draw(st.integers(1, 3))]
    sources = [model.Source(c, c, c, w) for c, w in zip(source_codes, draw(weights(len(source_codes))), strict=True)]
    n_dims = draw(st.integers(1, 3))
    dims = []
    for d, weight in enumerate(draw(weights(n_dims))):
        inds = tuple(draw(indicators(f"I{d}_{k}", source_codes)) for k in range(draw(st.integers(1, 3))))
        dims.append(model.Dimension(f"D{d}", f"D{d}", f"D{d}", weight, inds))
    lines = sorted(draw(st.lists(st.integers(1, 99), min_size=1, max_size=4, unique=True)), reverse=True)
    grades = [model.GradeBand(f"G{k}", f"G{k}", f"G{k}", D(m)) for k, m in enumerate([*lines, 0])]
    negatives = [
        model.NegativeItem("VETO", "否决", "veto", model.Effect.VETO),
        model.NegativeItem("CAP", "封顶", "cap", model.Effect.CAP, cap_grade=draw(st.sampled_from(grades)).code),
        model.NegativeItem("DEDUCT", "扣分", "deduct", model.Effect.DEDUCT, points=D(draw(st.integers(0, 10)))),
    ]
    s = scheme(dims, negatives=negatives, grades=grades, sources=sources)
    targets = [Target(f"v{n}", f"v{n}", None, f"t{draw(st.integers(1, 3))}", f"村{n}")
               for n in range(draw(st.integers(1, 8)))]
    values = {}
    for t in targets:
        for dim in dims:
            for ind in dim.indicators:
                for source in ind.sources or source_codes:
                    values[(t.target_id, source, ind.code)] = draw(_value(ind))
    recorded = {t.target_id: tuple(draw(st.lists(st.sampled_from(["VETO", "CAP", "DEDUCT"]),
                                                  unique=True, max_size=2)))
                for t in targets}
    return s, ScoringInput.of(targets, values, recorded)


def _value(ind: Indicator):
    if ind.method is Method.MANUAL:
        return st.integers(0, int(ind.max_score * 100)).map(lambda c: D(c) / 100)
    if ind.method is Method.BOOLEAN:
        return st.sampled_from([D(0), D(1)])
    return st.integers(0, 2000).map(lambda c: D(c) / 10)


@PROPERTY
@given(rounds())
def test_a_veto_always_yields_the_lowest_grade(generated):
    s, inputs = generated
    for result in score(s, inputs).results:
        if "VETO" in inputs.negatives[result.target.target_id]:
            assert result.grade == s.grades[-1].code


@PROPERTY
@given(rounds())
def test_a_cap_never_raises_a_grade(generated):
    s, inputs = generated
    capped = ScoringInput.of(inputs.targets, inputs.values,
                             {t: (*codes, "CAP") for t, codes in inputs.negatives.items()})
    without = score(s, inputs)
    cap_index = [g.code for g in s.grades].index(s.negative_items[1].cap_grade)
    for result in score(s, capped).results:
        before = without.of(result.target.target_id)
        assert result.grade_index >= before.grade_index
        assert result.grade_index >= cap_index
        assert result.total == before.total  # a cap limits the grade, never the score


@PROPERTY
@given(rounds(), st.randoms(use_true_random=False), st.integers(1, 2500))
def test_raising_one_indicator_never_lowers_the_total_or_the_rank(generated, rng, raise_by):
    s, inputs = generated
    manual = [key for key in sorted(inputs.values)
              if _indicator(s, key[2]).method is Method.MANUAL]
    if not manual:
        return
    key = rng.choice(manual)
    top = _indicator(s, key[2]).max_score
    raised = dict(inputs.values)
    raised[key] = min(top, raised[key] + D(raise_by) / 100)
    before = score(s, inputs).of(key[0])
    after = score(s, ScoringInput.of(inputs.targets, raised, inputs.negatives)).of(key[0])
    assert after.total >= before.total
    assert after.grade_index <= before.grade_index
    assert after.rank_in_scope <= before.rank_in_scope
    assert after.rank_in_township <= before.rank_in_township


@PROPERTY
@given(rounds())
def test_ties_share_a_rank_and_the_next_rank_skips(generated):
    s, inputs = generated
    results = score(s, inputs).results
    for r in results:
        strictly_better = sum(1 for o in results if o.rank_key < r.rank_key)
        assert r.rank_in_scope == 1 + strictly_better
        same_township = [o for o in results if o.target.township_id == r.target.township_id]
        assert r.rank_in_township == 1 + sum(1 for o in same_township if o.rank_key < r.rank_key)
        for o in results:
            if o.rank_key == r.rank_key:
                assert o.rank_in_scope == r.rank_in_scope


@PROPERTY
@given(rounds(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_order_of_the_input(generated, rng):
    s, inputs = generated
    targets = list(inputs.targets)
    rng.shuffle(targets)
    items = list(inputs.values.items())
    rng.shuffle(items)
    negatives = {t: tuple(reversed(codes)) for t, codes in reversed(list(inputs.negatives.items()))}
    shuffled = score(s, ScoringInput.of(targets, dict(items), negatives))
    assert shuffled.results == score(s, inputs).results


@PROPERTY
@given(rounds())
def test_the_total_is_never_negative_and_never_above_100(generated):
    s, inputs = generated
    for r in score(s, inputs).results:
        assert D(0) <= r.total <= D(100)
        assert r.total == r.total.quantize(D("0.01"))


def _indicator(s, code: str) -> Indicator:
    return next(i for d in s.dimensions for i in d.indicators if i.code == code)
