"""The shipped templates (domain/templates/*.yaml): each a sound scheme, each the articles' shape."""

from __future__ import annotations

from decimal import Decimal

from services.assessment.domain.scheme import Effect, Method, PeriodKind, StageKind, TargetKind
from services.assessment.domain.scheme_checks import check_scheme
from services.assessment.domain.scheme_format import parse_document, to_document
from services.assessment.domain.scoring import ScoringInput, Target, score
from services.assessment.domain.templates import shipped


def indicators(scheme) -> int:
    return sum(len(d.indicators) for d in scheme.dimensions)


def test_every_template_passes_the_check_and_reads_back_as_written():
    assert set(shipped()) == {"lead-goose", "star-rating", "five-good", "six-good"}
    for name, scheme in shipped().items():
        assert check_scheme(scheme) == [], name
        again, problems = parse_document(to_document(scheme))
        assert problems == [] and to_document(again) == to_document(scheme), name
        assert "须由县委组织部确认" in scheme.description, name  # placeholders are said to be placeholders


def test_lead_goose_five_indices_18_indicators_10_negative_items_half_yearly_for_secretaries():
    scheme = shipped()["lead-goose"]
    assert [d.name_zh for d in scheme.dimensions] == ["忠诚指数", "能力指数", "担当指数", "口碑指数", "律己指数"]
    assert (indicators(scheme), len(scheme.negative_items)) == (18, 10)
    assert (scheme.target_kind, scheme.period_kind) == (TargetKind.SECRETARY, PeriodKind.HALF_YEAR)


def test_star_rating_25_criteria_20_caps_at_three_stars_five_gates():
    scheme = shipped()["star-rating"]
    assert [d.name_zh for d in scheme.dimensions] == ["组织建设", "班子队伍", "发展业绩", "服务群众"]
    assert indicators(scheme) == 25
    assert {(n.effect, n.cap_grade) for n in scheme.negative_items} == {(Effect.CAP, "THREE_STAR")}
    assert len(scheme.negative_items) == 20
    assert [s.name_zh for s in scheme.stages] == ["街考核", "群众测评", "县级联审", "公开公示", "市级复核"]
    assert [g.stars for g in scheme.grades] == [5, 4, 3, 2, 1]
    rules = scheme.result_rules
    assert (rules.commend_grades, rules.sets_star_level, rules.weak_at_or_below) == (("FIVE_STAR",), True, "TWO_STAR")
    assert (scheme.target_kind, scheme.period_kind) == (TargetKind.VILLAGE_ORG, PeriodKind.YEAR)


def test_five_good_and_six_good_50_items_three_vetoes_two_tiers_and_a_title():
    for name, kind, title in (("five-good", TargetKind.VILLAGE_ORG, "FIVE_GOOD_VILLAGE"),
                              ("six-good", TargetKind.TOWNSHIP_ORG, "SIX_GOOD_TOWNSHIP")):
        scheme = shipped()[name]
        assert (indicators(scheme), scheme.target_kind) == (50, kind)
        assert [(n.code, n.effect) for n in scheme.negative_items] == [
            ("ECONOMY", Effect.VETO), ("FAMILY_PLANNING", Effect.VETO), ("PUBLIC_ORDER", Effect.VETO)]
        assert [g.name_zh for g in scheme.grades] == ["先进", "达标", "未达标"]
        assert scheme.result_rules.title.code == title
        assert scheme.result_rules.title.grades == ("ADVANCED", "STANDARD")
        assert scheme.stages[0].kind is StageKind.SCORING


def _best(indicator) -> Decimal:
    """The measured value (or score) that earns an indicator's full marks."""
    if indicator.method is Method.BOOLEAN:
        return Decimal(1)
    if indicator.method is Method.LINEAR:
        return indicator.high
    if indicator.method is Method.TIERS:
        return indicator.tiers[-1].at_least
    if indicator.method is Method.COUNT:
        return Decimal(1000)
    return indicator.max_score


def _scored(scheme, negatives: tuple[str, ...] = ()):
    target = Target("t-1", "u-1", None, "u-town", "测试村")
    codes = {s.code for s in scheme.sources}
    values = {(target.target_id, source, ind.code): _best(ind)
              for d in scheme.dimensions for ind in d.indicators for source in (ind.sources or codes)}
    return score(scheme, ScoringInput.of([target], values, {target.target_id: negatives})).of(target.target_id)


def test_full_marks_earn_each_template_its_best_grade_and_its_negative_items_bite():
    for name, scheme in shipped().items():
        best = _scored(scheme)
        assert (best.total, best.grade) == (Decimal(100), scheme.grades[0].code), name
        veto = next((n for n in scheme.negative_items if n.effect is Effect.VETO), None)
        if veto is not None:
            assert _scored(scheme, (veto.code,)).grade == scheme.grades[-1].code, name
    capped = _scored(shipped()["star-rating"], ("NEGATIVE_07",))
    assert (capped.grade_before, capped.grade) == ("FIVE_STAR", "THREE_STAR")
