"""Domain events; each mirrors `<Name>Event` in organization_events.proto field for field."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TenantCreated:
    tenant: str
    display_name: str
    city_code: str


@dataclass(frozen=True)
class TenantUpdated:
    tenant: str
    changed_fields: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class UnitCreated:
    unit: str
    unit_type: str
    display_name: str
    parent: str


@dataclass(frozen=True)
class UnitMoved:
    unit: str
    old_parent: str
    new_parent: str
    reason: str = ""


@dataclass(frozen=True)
class UnitMerged:
    target: str
    sources: list[str]
    members_moved: int
    posts_moved: int
    reason: str = ""


@dataclass(frozen=True)
class UnitArchived:
    unit: str
    reason: str = ""


@dataclass(frozen=True)
class MemberCreated:
    member: str
    unit: str
    status: str


@dataclass(frozen=True)
class MemberTransferred:
    member: str
    from_unit: str
    to_unit: str
    new_member: str = ""
    reason: str = ""


@dataclass(frozen=True)
class PostAssigned:
    post: str
    post_type: str
    unit: str
    member: str
    start_date: str
    term_end_date: str = ""


@dataclass(frozen=True)
class PostEnded:
    post: str
    post_type: str
    unit: str
    member: str
    end_date: str
    reason: str = ""


@dataclass(frozen=True)
class PostTermExpiring:
    post: str
    post_type: str
    unit: str
    member: str
    term_end_date: str
    days_left: int


@dataclass(frozen=True)
class ImportCommitted:
    tenant: str
    operation: str
    actor: str
    units: int
    members: int
    posts: int
    settings_changed: bool = False
