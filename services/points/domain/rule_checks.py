"""The pure check of a rule-set revision: every problem at once, each with its path.

`clean_rule_set` answers the revision as it would be stored (names NFC and stripped, codes
normalised, defaults filled) and every problem (`rules[3].points`, zh-CN and English);
`check_rule_set` only the problems. Bounds are parameters of rule_sets, never literals here.
"""

from __future__ import annotations

import enum
from dataclasses import replace

from services.common import identifiers
from services.common.errors import Validator
from services.points.domain.rule_sets import (
    BASE_RANGE,
    MAX_QUANTITY_LIMIT,
    MAX_RULES,
    MAX_THRESHOLDS,
    NORMAL,
    POINTS_MAX,
    RULE_CODE,
    THRESHOLD_CODE,
    Comparison,
    Kind,
    Mode,
    Problem,
    RecorderRole,
    Rule,
    RuleSetContent,
    Threshold,
    Unit,
)

THRESHOLD_VALUE_MAX = 100_000
YEARLY_CAP_MAX = 100_000
NAME_MAX, DESCRIPTION_MAX = 50, 500


def _enum_set(v: Validator, value, kind: type[enum.Enum], path: str) -> bool:
    """A required enum: set, and one of its values (mapping leaves an undefined number as `#n`)."""
    if value is None:
        v.add(path, "必须指定", "must be set")
        return False
    if not isinstance(value, kind):
        names = ", ".join(member.name for member in kind)
        v.add(path, f"未知的取值 {value}，应为 {names} 之一", f"unknown value {value}; must be one of {names}")
        return False
    return True


def _code(v: Validator, value: str, pattern, path: str, zh_form: str, en_form: str) -> str:
    before = len(v.violations)
    code = identifiers.check(v, value, path)
    if len(v.violations) > before:  # a control character: said once, not again as a malformed code
        return code
    if not code:
        v.add(path, "不能为空", "must not be empty")
    elif len(code) > 40 or not pattern.fullmatch(code):
        v.add(path, f"应为{zh_form}，最多40个字符", f"must be {en_form}, at most 40 characters")
    return code


def _in_range(v: Validator, value: int, low: int, high: int, path: str) -> None:
    v.require(low <= value <= high, path, f"应在 {low} 到 {high} 之间", f"must be between {low} and {high}")


def _threshold(v: Validator, t: Threshold, path: str) -> Threshold:
    code = _code(v, t.code, THRESHOLD_CODE, f"{path}.code", "大写字母、数字和下划线（如 REMINDER_TALK）",
                 "UPPER_SNAKE_CASE (e.g. REMINDER_TALK)")
    v.require(code != NORMAL, f"{path}.code", f"{NORMAL} 表示未达任何阈值，不能用作阈值代码",
              f"{NORMAL} is the status of a balance that meets no threshold and cannot be a threshold's code")
    name_zh = v.text(t.name_zh, f"{path}.name_zh", max_len=NAME_MAX)
    name_en = v.text(t.name_en, f"{path}.name_en", max_len=NAME_MAX * 2, required=False)
    _enum_set(v, t.comparison, Comparison, f"{path}.comparison")
    _in_range(v, t.value, -THRESHOLD_VALUE_MAX, THRESHOLD_VALUE_MAX, f"{path}.value")
    return replace(t, code=code, name_zh=name_zh, name_en=name_en)


def _bound(t: Threshold) -> int:
    """The balance at which a downward threshold starts to be met (BELOW 6 -> 5), or an upward one."""
    return t.value - 1 if t.comparison is Comparison.BELOW else t.value


def _check_thresholds(v: Validator, thresholds: tuple[Threshold, ...]) -> None:
    """Codes and severities unique; the more severe a threshold, the further the balance must go."""
    seen_codes: dict[str, int] = {}
    seen_severity: dict[int, int] = {}
    for i, t in enumerate(thresholds):
        if t.code and t.code in seen_codes:
            v.add(f"thresholds[{i}].code", f"与 thresholds[{seen_codes[t.code]}] 的代码重复",
                  f"duplicates the code of thresholds[{seen_codes[t.code]}]")
        seen_codes.setdefault(t.code, i)
        if t.severity in seen_severity:
            v.add(f"thresholds[{i}].severity", f"与 thresholds[{seen_severity[t.severity]}] 的严重程度相同",
                  f"equals the severity of thresholds[{seen_severity[t.severity]}]; severities order the statuses")
        seen_severity.setdefault(t.severity, i)
    for downward in (True, False):
        same_way = sorted(((t.severity, i, t) for i, t in enumerate(thresholds)
                           if isinstance(t.comparison, Comparison)
                           and (t.comparison is not Comparison.AT_OR_ABOVE) == downward), key=lambda x: x[:2])
        for (_, i, milder), (_, j, severer) in zip(same_way, same_way[1:], strict=False):
            ordered = _bound(severer) < _bound(milder) if downward else _bound(severer) > _bound(milder)
            if not ordered:
                way_zh, way_en = ("更低", "lower") if downward else ("更高", "higher")
                v.add(f"thresholds[{j}].value", f"比 thresholds[{i}] 更严重，其分值应{way_zh}",
                      f"is more severe than thresholds[{i}], so it must be met at a {way_en} balance")


def _rule(v: Validator, r: Rule, path: str, mode: Mode | None) -> Rule:
    code = _code(v, r.code, RULE_CODE, f"{path}.code", "大写字母下划线或小写字母连字符（如 MEETING_ABSENT）",
                 "UPPER_SNAKE_CASE or lower-kebab-case (e.g. MEETING_ABSENT)")
    name_zh = v.text(r.name_zh, f"{path}.name_zh", max_len=NAME_MAX)
    name_en = v.text(r.name_en, f"{path}.name_en", max_len=NAME_MAX * 2, required=False)
    description = v.text(r.description, f"{path}.description", max_len=DESCRIPTION_MAX, required=False,
                         multi_line=True)
    kind_ok = _enum_set(v, r.kind, Kind, f"{path}.kind")
    _enum_set(v, r.unit, Unit, f"{path}.unit")
    if kind_ok and r.kind is not Kind.DEDUCT_ALL:
        if r.points <= 0:
            v.add(f"{path}.points", "必须大于0", "must be > 0")
        else:
            _in_range(v, r.points, 1, POINTS_MAX, f"{path}.points")
    if r.yearly_cap < 0:
        v.add(f"{path}.yearly_cap", "不能为负数（0 表示不设上限）", "must be >= 0 (0: no cap)")
    else:
        _in_range(v, r.yearly_cap, 0, YEARLY_CAP_MAX, f"{path}.yearly_cap")
    if r.exchange_points < 0:
        v.add(f"{path}.exchange_points", "不能为负数", "must be >= 0")
    elif r.exchange_points and kind_ok and r.kind is not Kind.AWARD:
        v.add(f"{path}.exchange_points", "只有加分规则可以计入兑换积分", "only AWARD rules credit exchange points")
    else:
        _in_range(v, r.exchange_points, 0, POINTS_MAX, f"{path}.exchange_points")
    if r.lift_above_base and kind_ok and (r.kind is not Kind.AWARD or mode is not Mode.DEDUCT_FROM_BASE):
        v.add(f"{path}.lift_above_base", "只适用于基础分制（DEDUCT_FROM_BASE）的加分规则",
              "applies only to AWARD rules of a DEDUCT_FROM_BASE rule set")
    seen = set()
    for k, role in enumerate(r.recorder_roles):
        if _enum_set(v, role, RecorderRole, f"{path}.recorder_roles[{k}]"):
            v.require(role not in seen, f"{path}.recorder_roles[{k}]", "重复", "is listed twice")
            seen.add(role)
    return replace(r, code=code, name_zh=name_zh, name_en=name_en, description=description)


def clean_rule_set(content: RuleSetContent) -> tuple[RuleSetContent, list[Problem]]:
    """The revision as it would be stored, and every problem in it (paths relative to the rule set)."""
    v = Validator()
    mode_ok = _enum_set(v, content.mode, Mode, "mode")
    filled = content.with_defaults() if mode_ok else content
    if filled.base is not None:
        _in_range(v, filled.base, *BASE_RANGE, "base")
        v.require(filled.floor <= filled.base, "floor", "不能高于基础分", "must not be above the base")
    _in_range(v, filled.floor, -BASE_RANGE[1], BASE_RANGE[1], "floor")
    if filled.max_quantity:
        _in_range(v, filled.max_quantity, 1, MAX_QUANTITY_LIMIT, "max_quantity")
    if len(filled.thresholds) > MAX_THRESHOLDS:
        v.add("thresholds", f"最多{MAX_THRESHOLDS}个阈值", f"must hold at most {MAX_THRESHOLDS} thresholds")
    thresholds = tuple(_threshold(v, t, f"thresholds[{i}]") for i, t in enumerate(filled.thresholds))
    _check_thresholds(v, thresholds)
    if not filled.rules:
        v.add("rules", "至少需要一条积分规则", "must hold at least one rule")
    elif len(filled.rules) > MAX_RULES:
        v.add("rules", f"最多{MAX_RULES}条规则", f"must hold at most {MAX_RULES} rules")
    rules = tuple(_rule(v, r, f"rules[{i}]", filled.mode) for i, r in enumerate(filled.rules))
    first: dict[str, int] = {}
    for i, r in enumerate(rules):
        if r.code and r.code in first:
            v.add(f"rules[{i}].code", f"与 rules[{first[r.code]}] 的代码重复", f"duplicates the code of rules[{first[r.code]}]")
        first.setdefault(r.code, i)
    problems = [Problem(x.field, x.zh, x.en) for x in v.violations]
    return replace(filled, thresholds=thresholds, rules=rules), problems


def check_rule_set(content: RuleSetContent) -> list[Problem]:
    """Every problem of a revision, each with its path (`rules[3].points`); empty when it is sound."""
    return clean_rule_set(content)[1]
