"""A scheme written as a document (YAML, or JSON in a revision's stored body).

The keys are the field names of domain/scheme.py's dataclasses, enums by name, numbers as
numbers; the reader walks the dataclasses' own type hints, so the document follows the model
with no second list of keys to keep in step. `parse_document` answers the scheme as stated and
every unknown key and wrong type, each with its path (`dimensions[2].indicators[0].max_scor`).
It judges shape only; what the values mean (weights summing to 100, codes unique, ...) is
scheme_checks'. The shipped templates and `pbctl assessment scheme apply` both read through it.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from decimal import Decimal
from functools import cache

from services.assessment.domain.amounts import bounded, plain
from services.assessment.domain.scheme import ResultRules, Scheme
from services.common.errors import FieldViolation

# What a document states; the rest of Scheme is the server's (tenant, id, revision, state, template).
DOCUMENT_FIELDS = ("display_name", "description", "target_kind", "period_kind", "dimensions", "sources",
                   "negative_items", "grades", "stages", "result_rules")
_SERVER_FIELDS = {"tenant": "", "id": "", "revision": 0, "state": None, "template": ""}
INT32 = (-(2**31), 2**31 - 1)


@cache
def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


def _optional(kind):
    """X | None -> X, else None."""
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        return args[0] if len(args) == 1 else None
    return None


def _empty(kind):
    """What a key left out of a document stands for: the dataclass's default, else an empty value."""
    if _optional(kind) is not None:
        return None
    if typing.get_origin(kind) is tuple:
        return ()
    return {str: "", int: 0, bool: False}.get(kind)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[FieldViolation] = []

    def problem(self, path: str, zh: str, en: str) -> None:
        self.problems.append(FieldViolation(path or "(document)", zh, en))

    def record(self, data, cls, path: str, only: tuple[str, ...] | None = None) -> dict:
        """The dataclass's fields a mapping states, each converted; unknown keys and wrong types recorded."""
        if not isinstance(data, dict):
            self.problem(path, "应为键值映射", "must be a mapping of keys to values")
            return {}
        hints = _hints(cls)
        known = only or tuple(f.name for f in dataclasses.fields(cls))
        values = {}
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str) or key not in known:
                self.problem(where, f"未知的键 {key!r}", f"unknown key {key!r}")
            elif value is not None:
                converted = self.value(value, hints[key], where)
                if converted is not None:
                    values[key] = converted
        return values

    def build(self, data, cls, path: str):
        values = self.record(data, cls, path)
        hints = _hints(cls)
        for f in dataclasses.fields(cls):
            if f.name not in values and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                values[f.name] = _empty(hints[f.name])
        return cls(**values)

    def value(self, value, kind, path: str):
        inner = _optional(kind)
        if inner is not None:
            kind = inner
        if typing.get_origin(kind) is tuple:
            if not isinstance(value, list):
                self.problem(path, "应为列表", "must be a list")
                return None
            item_kind = typing.get_args(kind)[0]
            items = (self.value(item, item_kind, f"{path}[{i}]") for i, item in enumerate(value))
            return tuple(item for item in items if item is not None)
        if dataclasses.is_dataclass(kind):
            return self.build(value, kind, path)
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            names = [member.name for member in kind]
            if isinstance(value, str) and value.strip().upper() in names:
                return kind[value.strip().upper()]
            self.problem(path, f"应为以下之一：{', '.join(names)}", f"must be one of {', '.join(names)}")
            return None
        if kind is Decimal:
            number = None if isinstance(value, bool) or not isinstance(value, int | float) else bounded(value)
            if number is None:
                self.problem(path, "应为数值", "must be a number")
            return number
        if kind is int:
            if isinstance(value, bool) or not isinstance(value, int) or not INT32[0] <= value <= INT32[1]:
                self.problem(path, "应为整数", "must be an integer")
                return None
            return value
        if kind is bool and not isinstance(value, bool):
            self.problem(path, "应为 true 或 false", "must be true or false")
            return None
        if kind is str and not isinstance(value, str):
            self.problem(path, "应为文本", "must be text")
            return None
        return value


def parse_document(data) -> tuple[Scheme, list[FieldViolation]]:
    """The scheme a document states (tenant, id and revision left empty), and every unknown key or
    wrong type in it."""
    reader = _Reader()
    values = reader.record(data, Scheme, "", DOCUMENT_FIELDS)
    hints = _hints(Scheme)
    for key in DOCUMENT_FIELDS:
        values.setdefault(key, ResultRules() if key == "result_rules" else _empty(hints[key]))
    return Scheme(**_SERVER_FIELDS, **values), reader.problems


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def to_document(scheme: Scheme) -> dict:
    """The document of a scheme (what `pbctl assessment scheme template` prints for a county to adapt)."""
    return {key: _plain(getattr(scheme, key)) for key in DOCUMENT_FIELDS}
