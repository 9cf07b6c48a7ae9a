"""Errors the domain and service layer raise; the gRPC layer maps them to google.rpc.Status.

Every message is bilingual: the zh-CN text county staff read first, the English one for
integrators. No grpc import here: the domain stays free of transport.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.common.clock import parse_date
from services.common.fieldmask import MaskChanges
from services.common.text import normalize, text_problem


@dataclass(frozen=True)
class FieldViolation:
    """One wrong field: its path in the request, and why (zh-CN and English)."""

    field: str
    zh: str
    en: str


@dataclass
class PlatformError(Exception):
    """Base: `reason` is an UPPER_SNAKE_CASE ErrorInfo reason."""

    reason: str
    zh: str
    en: str
    metadata: dict[str, str] = field(default_factory=dict)

    code = "INTERNAL"

    def __post_init__(self) -> None:
        Exception.__init__(self, self.en)

    def __str__(self) -> str:
        return f"{self.en} / {self.zh}"


@dataclass
class InvalidArgument(PlatformError):
    violations: list[FieldViolation] = field(default_factory=list)
    code = "INVALID_ARGUMENT"

    @classmethod
    def of(cls, violations: list[FieldViolation], reason: str = "INVALID_ARGUMENT") -> InvalidArgument:
        """One error carrying every violation, its message naming them all."""
        en = "; ".join(f"{v.field}: {v.en}" for v in violations)
        zh = "；".join(f"{v.field}：{v.zh}" for v in violations)
        return cls(reason, zh, en, violations=list(violations))

    @classmethod
    def field(cls, field_path: str, zh: str, en: str, reason: str = "INVALID_ARGUMENT") -> InvalidArgument:
        return cls.of([FieldViolation(field_path, zh, en)], reason)


class NotFound(PlatformError):
    code = "NOT_FOUND"


class PermissionDenied(PlatformError):
    code = "PERMISSION_DENIED"


class Unauthenticated(PlatformError):
    code = "UNAUTHENTICATED"


class FailedPrecondition(PlatformError):
    code = "FAILED_PRECONDITION"


class AlreadyExists(PlatformError):
    code = "ALREADY_EXISTS"


class Aborted(PlatformError):
    code = "ABORTED"


class Unavailable(PlatformError):
    code = "UNAVAILABLE"


def not_found(kind_zh: str, kind_en: str, name: str) -> NotFound:
    return NotFound(
        f"{kind_en.upper().replace(' ', '_')}_NOT_FOUND",
        f"{kind_zh}不存在：{name}",
        f"{kind_en} not found: {name}",
        {"resource": name},
    )


def stale_etag(name: str) -> Aborted:
    return Aborted(
        "ETAG_MISMATCH",
        f"{name} 已被他人修改，请刷新后重试",
        f"{name} was changed since you read it (stale etag); read it again and retry",
        {"resource": name},
    )


class Validator:
    """Collects field violations so one answer names every wrong field."""

    def __init__(self) -> None:
        self.violations: list[FieldViolation] = []

    def add(self, field_path: str, zh: str, en: str) -> None:
        self.violations.append(FieldViolation(field_path, zh, en))

    def require(self, ok: bool, field_path: str, zh: str, en: str) -> bool:
        if not ok:
            self.add(field_path, zh, en)
        return ok

    def text(self, value: str, field_path: str, *, max_len: int = 100, required: bool = True,
             multi_line: bool = False) -> str:
        """A free-text field (services/common/text.py): the value as stored, NFC and stripped.

        Present when required, at most max_len characters, nothing hidden or invisible, a line
        break only where multi_line.
        """
        problem = text_problem(value, max_len=max_len, multi_line=multi_line)
        if problem:
            self.add(field_path, *problem)
            return value
        cleaned = normalize(value)
        if not cleaned and required:
            self.add(field_path, "不能为空", "must not be empty")
        return cleaned

    def date(self, value: str, field_path: str) -> dt.date | None:
        """An optional YYYY-MM-DD field: the date, or None when empty or (recorded) malformed."""
        if not value:
            return None
        parsed = parse_date(value)
        self.require(parsed is not None, field_path, "日期格式应为 YYYY-MM-DD", "must be a date YYYY-MM-DD")
        return parsed

    def raise_if_any(self) -> None:
        if self.violations:
            raise InvalidArgument.of(self.violations)


def valid_text(value: str, field_path: str, **rules) -> str:
    """One free-text field on its own (see Validator.text): the stored form, or INVALID_ARGUMENT."""
    v = Validator()
    cleaned = v.text(value, field_path, **rules)
    v.raise_if_any()
    return cleaned


def check_update_mask(changes: dict, allowed: set[str] | frozenset[str]) -> None:
    """An update names at least one field and only fields that update may change (AIP-134).

    A path naming no field of the resource is told so. Where a field is changed instead (MoveUnit
    for a unit's parent) goes with that field only: changes from `fieldmask.changes_from_mask`
    say which field each hint is about.
    """
    v = Validator()
    if not changes:
        v.add("update_mask", "请指明要修改的字段", "must name at least one field to change")
    masked = changes if isinstance(changes, MaskChanges) else None
    for path in sorted(set(changes) - set(allowed)):
        if masked is not None and path in masked.unknown:
            v.add("update_mask", f"{masked.resource} 没有字段 {path}", f"{path!r} is not a field of {masked.resource}")
            continue
        zh, en = masked.elsewhere.get(path, ("", "")) if masked is not None else ("", "")
        v.add("update_mask", f"不能修改字段 {path}{zh}", f"field {path!r} cannot be updated{en}")
    v.raise_if_any()
