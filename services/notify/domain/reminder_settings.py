"""The `reminders` and `calendar` sections of a county's notify settings: their defaults and checks.

Registered with the settings document (domain/settings.py) at import; entrypoints/runtime.py
imports this module so that every process serving notify knows both sections. A check takes
the section as stored (only what the county changed) and answers it with the defaults filled
in, or refuses it naming the field (`settings.reminders.before_days[1]`).
"""

from __future__ import annotations

from dataclasses import dataclass

from partybuilding.organization.v1 import organization_resources_pb2 as opb

from services.common.errors import Validator
from services.notify.domain.settings import NotifySettings, register_section

REMINDER_DEFAULTS = {
    "enabled": True, "before_days": [1], "on_due_day": True, "overdue_every_days": 2, "overdue_max": 5,
    "escalate_after_days": 3, "send_hour": 9, "sms": False,
}
# (name, lowest, highest) of each whole-number field.
_REMINDER_BOUNDS = (("overdue_every_days", 0, 30), ("overdue_max", 1, 20), ("escalate_after_days", 0, 60),
                    ("send_hour", 0, 23))

# 主题党日 monthly (每月相对固定1天), 组织生活会 in Q4, 民主评议党员 once a year (seed 000). The dates
# are placeholders a county sets to its own (docs/notify-reminders.md).
CALENDAR_DEFAULTS = {
    "party_day": {"enabled": True, "month": 0, "day": 5, "lead_days": 2, "unit_types": ["VILLAGE"]},
    "org_life": {"enabled": True, "month": 12, "day": 20, "lead_days": 30, "unit_types": ["VILLAGE"]},
    "democratic_review": {"enabled": True, "month": 1, "day": 31, "lead_days": 30, "unit_types": ["VILLAGE"]},
}
MONTHLY = frozenset({"party_day"})
UNIT_TYPES = frozenset(name for name in opb.UnitType.DESCRIPTOR.values_by_name if name != "UNIT_TYPE_UNSPECIFIED")


def _whole(v: Validator, value, path: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        v.add(path, f"应为 {low} 到 {high} 之间的整数", f"must be a whole number from {low} to {high}")
        return low
    return value


def _flag(v: Validator, value, path: str) -> bool:
    if not isinstance(value, bool):
        v.add(path, "应为 true 或 false", "must be true or false")
        return False
    return value


def _unknown(v: Validator, section: dict, known, path: str) -> None:
    for key in sorted(set(section) - set(known)):
        v.add(f"{path}.{key}", "没有这一设置项", f"is not a field of this section ({', '.join(sorted(known))})")


def check_reminders(section: dict, path: str) -> dict:
    v = Validator()
    _unknown(v, section, REMINDER_DEFAULTS, path)
    out = {**REMINDER_DEFAULTS, **{k: section[k] for k in REMINDER_DEFAULTS if k in section}}
    for name in ("enabled", "on_due_day", "sms"):
        out[name] = _flag(v, out[name], f"{path}.{name}")
    for name, low, high in _REMINDER_BOUNDS:
        out[name] = _whole(v, out[name], f"{path}.{name}", low, high)
    days = out["before_days"]
    if not isinstance(days, list):
        v.add(f"{path}.before_days", "应为天数列表", "must be a list of days")
        days = []
    if len(days) > 10:
        v.add(f"{path}.before_days", "最多 10 个", "must hold at most 10 days")
    seen: set[int] = set()
    for i, day in enumerate(days):
        day = _whole(v, day, f"{path}.before_days[{i}]", 1, 30)
        if day in seen:
            v.add(f"{path}.before_days[{i}]", f"重复的天数 {day}", f"repeats {day}")
        seen.add(day)
    out["before_days"] = sorted(seen, reverse=True)
    v.raise_if_any()
    return out


def _check_item(v: Validator, key: str, item, path: str) -> dict:
    if not isinstance(item, dict):
        v.add(path, "应为键值映射", "must be a mapping")
        item = {}
    default = CALENDAR_DEFAULTS[key]
    _unknown(v, item, default, path)
    out = {**default, **{k: item[k] for k in default if k in item}}
    out["enabled"] = _flag(v, out["enabled"], f"{path}.enabled")
    out["day"] = _whole(v, out["day"], f"{path}.day", 1, 31)
    out["lead_days"] = _whole(v, out["lead_days"], f"{path}.lead_days", 0, 60)
    if key in MONTHLY:
        out["month"] = 0
    else:
        out["month"] = _whole(v, out["month"], f"{path}.month", 1, 12)
    types = out["unit_types"]
    if not isinstance(types, list) or not types:
        v.add(f"{path}.unit_types", "至少指定一种组织类型", "must name at least one unit type")
        types = []
    for i, name in enumerate(types):
        if name not in UNIT_TYPES:
            v.add(f"{path}.unit_types[{i}]", f"未知的组织类型 {name}", f"{name!r} is not a unit type")
    out["unit_types"] = list(dict.fromkeys(types))
    return out


def check_calendar(section: dict, path: str) -> dict:
    v = Validator()
    _unknown(v, section, CALENDAR_DEFAULTS, path)
    out = {key: _check_item(v, key, section.get(key) or {}, f"{path}.{key}") for key in CALENDAR_DEFAULTS}
    v.raise_if_any()
    return out


register_section("reminders", check_reminders)
register_section("calendar", check_calendar)


@dataclass(frozen=True)
class Schedule:
    """The reminders section as the sweep reads it."""

    enabled: bool
    before_days: tuple[int, ...]  # largest first
    on_due_day: bool
    overdue_every_days: int  # 0: none
    overdue_max: int
    escalate_after_days: int  # 0: never
    send_hour: int
    sms: bool

    @classmethod
    def of(cls, settings: NotifySettings | dict) -> Schedule:
        section = settings.section("reminders") if isinstance(settings, NotifySettings) else settings
        data = {**REMINDER_DEFAULTS, **section}
        return cls(data["enabled"], tuple(data["before_days"]), data["on_due_day"], data["overdue_every_days"],
                   data["overdue_max"], data["escalate_after_days"], data["send_hour"], data["sms"])
