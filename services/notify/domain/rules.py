"""What a notice and a report must satisfy: bounds as parameters, pure `check_*` functions.

Each check records violations on a Validator under the request's field path, so one answer
names every wrong field, in zh-CN and English.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from services.common import identifiers
from services.common.clock import parse_date
from services.common.errors import Validator
from services.notify.domain.notices import FieldKind, RecipientSelector, Report, ReportField


@dataclass(frozen=True)
class NoticeBounds:
    """How much one notice may hold; shipped defaults (a county's own bounds can replace them)."""

    title_max: int = 100
    body_max: int = 4000  # under the door's 4,096 characters per string (services/common/bounds.py)
    note_max: int = 1000
    selectors_max: int = 20
    fields_max: int = 30
    label_max: int = 50
    choices_max: int = 20
    choice_max: int = 50
    text_value_max: int = 2000
    number_digits_max: int = 18
    due_within: dt.timedelta = dt.timedelta(days=366)


BOUNDS = NoticeBounds()
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


def check_selectors(v: Validator, selectors: list[RecipientSelector], field_path: str,
                    bounds: NoticeBounds = BOUNDS) -> None:
    """At least one selector, at most `selectors_max`, each type named (never *_UNSPECIFIED)."""
    if not selectors:
        v.add(field_path, "请至少指定一个接收范围", "must name at least one subtree to send to")
    elif len(selectors) > bounds.selectors_max:
        v.add(field_path, f"最多{bounds.selectors_max}个接收范围", f"must hold at most {bounds.selectors_max} selectors")
    for i, s in enumerate(selectors):
        if any(t.endswith("_UNSPECIFIED") for t in s.unit_types):
            v.add(f"{field_path}[{i}].unit_types", "组织类型不能为空值", "must not hold UNIT_TYPE_UNSPECIFIED")
        if any(t.endswith("_UNSPECIFIED") for t in s.post_types):
            v.add(f"{field_path}[{i}].post_types", "职务类型不能为空值", "must not hold POST_TYPE_UNSPECIFIED")


def check_due(v: Validator, due_at: dt.datetime | None, now: dt.datetime, field_path: str,
              not_after: dt.datetime | None = None, bounds: NoticeBounds = BOUNDS) -> None:
    """A deadline lies in the future, within a year, and (a forwarded notice) not after its parent's."""
    if due_at is None:
        return
    if due_at <= now:
        v.add(field_path, "截止时间已过，应晚于当前时间", "is in the past; a deadline must lie in the future")
    elif due_at > now + bounds.due_within:
        v.add(field_path, f"截止时间不能晚于{bounds.due_within.days}天之后",
              f"must lie within {bounds.due_within.days} days from now")
    elif not_after is not None and due_at > not_after:
        v.add(field_path, "不能晚于上级通知的截止时间", "must not be later than the forwarded notice's deadline")


def check_report_form(v: Validator, fields: list[ReportField], field_path: str,
                      bounds: NoticeBounds = BOUNDS) -> tuple[ReportField, ...]:
    """The form as stored: names unique and well-formed, labels clean, choices only on CHOICE fields."""
    if not fields:
        v.add(field_path, "要求汇报时须至少包含一个字段", "must hold at least one field when a report is required")
    if len(fields) > bounds.fields_max:
        v.add(field_path, f"最多{bounds.fields_max}个字段", f"must hold at most {bounds.fields_max} fields")
        return ()
    seen: set[str] = set()
    cleaned = []
    for i, f in enumerate(fields):
        at = f"{field_path}[{i}]"
        name = identifiers.check(v, f.name, f"{at}.name")
        if not FIELD_NAME.fullmatch(name):
            v.add(f"{at}.name", "字段名应为小写字母开头的字母、数字或下划线（最多40个）",
                  "must be a lower-case letter followed by up to 39 letters, digits or underscores")
        elif name in seen:
            v.add(f"{at}.name", f"字段名 {name} 重复", f"repeats the field name {name}")
        seen.add(name)
        label_zh = v.text(f.label_zh, f"{at}.label_zh", max_len=bounds.label_max)
        label_en = v.text(f.label_en, f"{at}.label_en", max_len=bounds.label_max, required=False)
        if f.kind is None:
            v.add(f"{at}.kind", "请指定字段类型（TEXT、NUMBER、DATE、CHOICE）", "must be TEXT, NUMBER, DATE or CHOICE")
        choices = tuple(v.text(c, f"{at}.choices[{j}]", max_len=bounds.choice_max) for j, c in enumerate(f.choices))
        if f.kind is FieldKind.CHOICE:
            if not 2 <= len(choices) <= bounds.choices_max or len(set(choices)) != len(choices):
                v.add(f"{at}.choices", f"选项应为2至{bounds.choices_max}个且互不相同",
                      f"must be 2 to {bounds.choices_max} distinct options")
        elif choices:
            v.add(f"{at}.choices", "只有 CHOICE 类型的字段可以有选项", "only a CHOICE field has options")
        cleaned.append(ReportField(name, label_zh, label_en, f.kind, f.required, choices))
    return tuple(cleaned)


def check_report(form: tuple[ReportField, ...], values: list[tuple[str, str]], field_path: str,
                 filled: dict[str, str] | None = None, bounds: NoticeBounds = BOUNDS) -> tuple[Validator, dict[str, str]]:
    """The report's values by field in the form's order, each checked against its field's kind.

    `filled` are values from elsewhere (the forwarded notice's reports) for fields not given.
    Every required field must have a value; a field the form does not name is refused.
    """
    v = Validator()
    by_name = {f.name: f for f in form}
    given: dict[str, str] = {}
    for i, (name, value) in enumerate(values):
        key = identifiers.check(v, name, f"{field_path}[{i}].field")
        if key not in by_name:
            v.add(f"{field_path}[{i}].field", f"表单中没有字段 {key!r}", f"the form has no field {key!r}")
        elif key in given:
            v.add(f"{field_path}[{i}].field", f"字段 {key} 重复填写", f"gives the field {key} twice")
        else:
            given[key] = _value(v, by_name[key], value, f"{field_path}.{key}", bounds)
    out: dict[str, str] = {}
    for f in form:
        value = given.get(f.name, "") or (filled or {}).get(f.name, "")
        if value:
            out[f.name] = value
        elif f.required and f.name not in given:
            v.add(f"{field_path}.{f.name}", f"必填项“{f.label_zh}”（{f.name}）未填写",
                  f"the required field {f.name} ({f.label_en or f.label_zh}) is missing")
        elif f.required:
            v.add(f"{field_path}.{f.name}", f"必填项“{f.label_zh}”不能为空", f"the required field {f.name} is empty")
    return v, out


def _value(v: Validator, f: ReportField, raw: str, at: str, bounds: NoticeBounds) -> str:
    """One value as stored: numbers and dates in their ASCII spelling, text cleaned."""
    if f.kind is FieldKind.TEXT:
        return v.text(raw, at, max_len=bounds.text_value_max, required=False, multi_line=True)
    if f.kind is FieldKind.NUMBER:
        text = identifiers.check(v, raw, at)
        if not text:
            return ""
        number = _number(text)
        if number is None or len(number.as_tuple().digits) > bounds.number_digits_max \
                or abs(number.adjusted()) >= bounds.number_digits_max:
            v.add(at, f"“{f.label_zh}”应为数字（最多{bounds.number_digits_max}位）",
                  f"{f.name} must be a number of at most {bounds.number_digits_max} digits")
            return text
        return format(number, "f")  # 1e3 is written 1000: a sum and a reader see one spelling
    if f.kind is FieldKind.DATE:
        text = identifiers.check(v, raw, at)
        day = parse_date(text) if text else None
        if text and day is None:
            v.add(at, f"“{f.label_zh}”的日期格式应为 YYYY-MM-DD", f"{f.name} must be a date YYYY-MM-DD")
        return day.isoformat() if day else text
    text = v.text(raw, at, max_len=bounds.choice_max, required=False)
    if text and text not in f.choices:
        v.add(at, f"“{f.label_zh}”应为以下之一：{'、'.join(f.choices)}", f"{f.name} must be one of {', '.join(f.choices)}")
    return text


def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def aggregate(form: tuple[ReportField, ...], reports: list[tuple[str, Report | None]]) -> tuple[dict[str, str], tuple[str, ...]]:
    """What the units a notice was forwarded to reported, as one report's values (汇总).

    NUMBER: the sum; TEXT: one line per unit ("unit: text"); DATE: the latest; CHOICE: the
    value when every unit that answered chose the same. Returns the values and their fields.
    """
    given = [(unit, r.values) for unit, r in reports if r is not None]
    values: dict[str, str] = {}
    for f in form:
        answers = [(unit, vals[f.name]) for unit, vals in given if vals.get(f.name)]
        if not answers:
            continue
        if f.kind is FieldKind.NUMBER:
            total = sum((Decimal(a) for _, a in answers), Decimal(0))
            values[f.name] = str(total)
        elif f.kind is FieldKind.DATE:
            values[f.name] = max(a for _, a in answers)
        elif f.kind is FieldKind.CHOICE:
            if len({a for _, a in answers}) == 1:
                values[f.name] = answers[0][1]
        else:
            values[f.name] = "\n".join(f"{unit}：{a}" for unit, a in answers)
    return values, tuple(values)
