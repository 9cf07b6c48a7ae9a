"""A rule set written as a document (YAML): the keys are RuleSet's field names, enums by name.

`load_yaml` reads the text (a key given twice is an error, never silently the last one), and
`parse_document` reads what it gave and answers the rule set together with every
unknown key and wrong type, each with its path (`rules[3].pointz`). It judges shape only; what
the values mean (points > 0, unique codes, ...) is check_rule_set's, on the server. The shipped
templates and `pbctl points rules apply` both read documents through it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import yaml

from services.points.domain.rule_sets import (
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

INT32 = (-(2**31), 2**31 - 1)

_TOP = {"display_name": str, "description": str, "mode": Mode, "base": int, "floor": int, "max_quantity": int,
        "thresholds": list, "rules": list}
_THRESHOLD = {"code": str, "name_zh": str, "name_en": str, "comparison": Comparison, "value": int, "severity": int}
_RULE = {"code": str, "name_zh": str, "name_en": str, "kind": Kind, "points": int, "unit": Unit,
         "yearly_cap": int, "needs_approval": bool, "recorder_roles": list, "exchange_points": int,
         "lift_above_base": bool, "description": str}


@dataclass(frozen=True)
class RuleSetDocument:
    display_name: str
    description: str
    content: RuleSetContent


class DuplicateKey(yaml.YAMLError):
    """A mapping states one key twice: which value the county meant is not ours to guess."""

    def __init__(self, key, line: int) -> None:
        self.key, self.line = key, line
        super().__init__(f"line {line}: duplicate key {key!r} / 第{line}行：重复的键 {key!r}")


class _StrictLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                repeated = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: the base loader says so with its position
                break
            if repeated:
                raise DuplicateKey(key, key_node.start_mark.line + 1)
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str):
    """The data a YAML document states (safe types only); yaml.YAMLError when it cannot be read,
    DuplicateKey when a mapping gives a key twice."""
    return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader subclass)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, zh: str, en: str) -> None:
        self.problems.append(Problem(path, zh, en))

    def mapping(self, data, schema: dict, path: str) -> dict:
        """The known keys of a mapping, each of the right type; unknown keys and wrong types recorded."""
        if not isinstance(data, dict):
            self.problem(path or "(document)", "应为键值映射", "must be a mapping of keys to values")
            return {}
        out = {}
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            kind = schema.get(key) if isinstance(key, str) else None
            if kind is None:
                self.problem(where, f"未知的键 {key!r}", f"unknown key {key!r}")
            elif value is not None:
                converted = self.value(value, kind, where)
                if converted is not None:
                    out[key] = converted
        return out

    def value(self, value, kind, path: str):
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            return self.enum_value(value, kind, path)
        if kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                self.problem(path, "应为整数", "must be an integer")
                return None
            if not INT32[0] <= value <= INT32[1]:
                self.problem(path, "超出整数范围", "is out of the integer range")
                return None
            return value
        if kind is bool and not isinstance(value, bool):
            self.problem(path, "应为 true 或 false", "must be true or false")
            return None
        if kind is str and not isinstance(value, str):
            self.problem(path, "应为文本", "must be text")
            return None
        if kind is list and not isinstance(value, list):
            self.problem(path, "应为列表", "must be a list")
            return None
        return value

    def enum_value(self, value, kind: type[enum.Enum], path: str):
        names = [member.name for member in kind]
        if isinstance(value, str) and value.strip().upper() in names:
            return kind[value.strip().upper()]
        self.problem(path, f"应为以下之一：{', '.join(names)}", f"must be one of {', '.join(names)}")
        return None


def _threshold(reader: _Reader, data, path: str) -> Threshold:
    t = reader.mapping(data, _THRESHOLD, path)
    return Threshold(t.get("code", ""), t.get("name_zh", ""), t.get("name_en", ""), t.get("comparison"),
                     t.get("value", 0), t.get("severity", 0))


def _rule(reader: _Reader, data, path: str) -> Rule:
    r = reader.mapping(data, _RULE, path)
    roles = tuple(reader.enum_value(role, RecorderRole, f"{path}.recorder_roles[{i}]")
                  for i, role in enumerate(r.get("recorder_roles", [])))
    return Rule(r.get("code", ""), r.get("name_zh", ""), r.get("name_en", ""), r.get("kind"), r.get("points", 0),
                r.get("unit"), r.get("yearly_cap", 0), r.get("needs_approval", False),
                tuple(role for role in roles if role is not None), r.get("exchange_points", 0),
                r.get("lift_above_base", False), r.get("description", ""))


def parse_document(data) -> tuple[RuleSetDocument, list[Problem]]:
    """The rule set a document states, and every unknown key or wrong type in it."""
    reader = _Reader()
    top = reader.mapping(data, _TOP, "")
    content = RuleSetContent(
        mode=top.get("mode"), base=top.get("base"), floor=top.get("floor", 0), max_quantity=top.get("max_quantity", 0),
        thresholds=tuple(_threshold(reader, t, f"thresholds[{i}]") for i, t in enumerate(top.get("thresholds", []))),
        rules=tuple(_rule(reader, r, f"rules[{i}]") for i, r in enumerate(top.get("rules", []))))
    return RuleSetDocument(top.get("display_name", ""), top.get("description", ""), content), reader.problems


def to_document(display_name: str, description: str, content: RuleSetContent) -> dict:
    """The document of a rule set (what `pbctl points rules template` writes for a county to adapt)."""
    def plain(value):
        return value.name if isinstance(value, enum.Enum) else value

    doc = {"display_name": display_name, "description": description, "mode": plain(content.mode)}
    if content.base is not None:
        doc["base"] = content.base
    doc.update(floor=content.floor, max_quantity=content.max_quantity)
    doc["thresholds"] = [{key: plain(getattr(t, key)) for key in _THRESHOLD} for t in content.thresholds]
    doc["rules"] = [{key: [role.name for role in r.recorder_roles] if key == "recorder_roles" else plain(getattr(r, key))
                     for key in _RULE} for r in content.rules]
    return doc
