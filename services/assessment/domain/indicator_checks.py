"""The check of one indicator: its max score, and its method's parameters present and consistent.

A method's parameters are those it reads (LINEAR low/high, TIERS tiers, COUNT points_each/cap); a
parameter of another method is refused rather than ignored, so a county never believes a value
counts that does not.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from services.assessment.domain.scheme import Indicator, Method
from services.assessment.domain.scheme_bounds import MAX_TIERS, SCORE_MAX
from services.common.errors import Validator

_PARAMETERS = {Method.LINEAR: {"low", "high"}, Method.TIERS: {"tiers"}, Method.COUNT: {"points_each", "cap"}}


def _between(v: Validator, value: Decimal | None, path: str, low: Decimal, high: Decimal, *,
             low_open: bool = False) -> bool:
    if value is None:
        v.add(path, "必须指定", "must be set")
        return False
    ok = (value > low if low_open else value >= low) and value <= high
    sign_zh, sign_en = ("大于", "greater than") if low_open else ("不小于", "at least")
    return v.require(ok, path, f"应{sign_zh} {low} 且不超过 {high}", f"must be {sign_en} {low} and at most {high}")


def _stray_parameters(v: Validator, ind: Indicator, path: str) -> None:
    wanted = _PARAMETERS.get(ind.method, set())
    for name in ("low", "high", "points_each", "cap", "tiers"):
        if name not in wanted and getattr(ind, name) not in (None, ()):
            v.add(f"{path}.{name}", f"只适用于计分方法 {'/'.join(m for m, p in _PARAMETERS.items() if name in p)}",
                  f"applies only to method {'/'.join(m for m, p in _PARAMETERS.items() if name in p)}")


def _tiers(v: Validator, ind: Indicator, path: str, max_score: Decimal | None) -> None:
    if not ind.tiers:
        v.add(f"{path}.tiers", "分档计分至少需要一档", "TIERS needs at least one tier")
        return
    if len(ind.tiers) > MAX_TIERS:
        v.add(f"{path}.tiers", f"最多{MAX_TIERS}档", f"must hold at most {MAX_TIERS} tiers")
    top = max_score if max_score is not None else SCORE_MAX
    for k, tier in enumerate(ind.tiers):
        where = f"{path}.tiers[{k}]"
        _between(v, tier.at_least, f"{where}.at_least", -SCORE_MAX * 1_000_000, SCORE_MAX * 1_000_000)
        _between(v, tier.score, f"{where}.score", Decimal(0), top)
        v.text(tier.label_zh, f"{where}.label_zh", max_len=50, required=False)
        if k and None not in (tier.at_least, ind.tiers[k - 1].at_least):
            v.require(tier.at_least > ind.tiers[k - 1].at_least, f"{where}.at_least",
                      f"应大于上一档（tiers[{k - 1}]）的起点，各档按起点从低到高排列",
                      f"must be above tiers[{k - 1}].at_least: tiers ascend")
        # A higher tier scoring less would let a better measured value lower the total.
        if k and None not in (tier.score, ind.tiers[k - 1].score):
            v.require(tier.score >= ind.tiers[k - 1].score, f"{where}.score",
                      f"不应低于上一档（tiers[{k - 1}]）的得分", f"must not be below tiers[{k - 1}].score")


def check_indicator(v: Validator, ind: Indicator, path: str) -> Indicator:
    """Max score > 0 and the method's parameters; answers the indicator with its texts cleaned."""
    max_ok = _between(v, ind.max_score, f"{path}.max_score", Decimal(0), SCORE_MAX, low_open=True)
    max_score = ind.max_score if max_ok else None
    if not isinstance(ind.method, Method):
        v.add(f"{path}.method", "必须指定计分方法：" + "、".join(Method), "must be one of " + ", ".join(Method))
        return ind
    _stray_parameters(v, ind, path)
    if ind.method is Method.LINEAR:
        low_ok = _between(v, ind.low, f"{path}.low", -SCORE_MAX * 1_000_000, SCORE_MAX * 1_000_000)
        high_ok = _between(v, ind.high, f"{path}.high", -SCORE_MAX * 1_000_000, SCORE_MAX * 1_000_000)
        if low_ok and high_ok:
            v.require(ind.low != ind.high, f"{path}.high", "不能等于 low（高于 low 为越高越好，低于为越低越好）",
                      "must differ from low (above low: higher is better; below: lower is better)")
    elif ind.method is Method.TIERS:
        _tiers(v, ind, path, max_score)
    elif ind.method is Method.COUNT:
        _between(v, ind.points_each, f"{path}.points_each", Decimal(0), SCORE_MAX, low_open=True)
        if ind.cap is not None:
            _between(v, ind.cap, f"{path}.cap", Decimal(0), max_score if max_score is not None else SCORE_MAX,
                     low_open=True)
    return replace(ind)
