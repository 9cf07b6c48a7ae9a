"""Domain events; each mirrors `<Name>Event` in organization_events.proto field for field.

Every event about a tenant, unit, member or post carries the resource's snapshot as the change
left it (domain/snapshots.py); a change that touches other rows too adds ResourcesChanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from services.organization.domain.snapshots import (
    MemberSnapshot,
    PostSnapshot,
    TenantSnapshot,
    UnitSnapshot,
)

# Snapshots in one organization.resources_changed: a county import is a few dozen events, and
# one outbox row stays well under a broker message's comfortable size.
SNAPSHOTS_PER_EVENT = 500


@dataclass(frozen=True)
class TenantCreated:
    tenant: str
    display_name: str
    city_code: str
    snapshot: TenantSnapshot = field(kw_only=True)


@dataclass(frozen=True)
class TenantUpdated:
    tenant: str
    changed_fields: list[str] = field(default_factory=list)
    snapshot: TenantSnapshot = field(kw_only=True)


@dataclass(frozen=True)
class UnitCreated:
    unit: str
    unit_type: str
    display_name: str
    parent: str
    snapshot: UnitSnapshot = field(kw_only=True)


@dataclass(frozen=True)
class UnitUpdated:
    unit: str
    changed_fields: list[str]
    snapshot: UnitSnapshot = field(kw_only=True)


@dataclass(frozen=True)
class UnitMoved:
    unit: str
    old_parent: str
    new_parent: str
    reason: str = ""
    snapshot: UnitSnapshot = field(kw_only=True)


@dataclass(frozen=True)
class UnitMerged:
    target: str
    sources: list[str]
    members_moved: int
    posts_moved: int
    reason: str = ""
    target_snapshot: UnitSnapshot = field(kw_only=True)
    source_snapshots: list[UnitSnapshot] = field(kw_only=True)


@dataclass(frozen=True)
class UnitArchived:
    unit: str
    reason: str = ""
    snapshot: UnitSnapshot = field(kw_only=True)


@dataclass(frozen=True)
class MemberCreated:
    member: str
    unit: str
    status: str
    snapshot: MemberSnapshot = field(kw_only=True)
    transferred_from: str = field(default="", kw_only=True)


@dataclass(frozen=True)
class MemberUpdated:
    member: str
    changed_fields: list[str]
    snapshot: MemberSnapshot = field(kw_only=True)


@dataclass(frozen=True)
class MemberTransferred:
    member: str
    from_unit: str
    to_unit: str
    new_member: str = ""
    reason: str = ""
    snapshot: MemberSnapshot = field(kw_only=True)


@dataclass(frozen=True)
class PostAssigned:
    post: str
    post_type: str
    unit: str
    member: str
    start_date: str
    term_end_date: str = ""
    snapshot: PostSnapshot = field(kw_only=True)


@dataclass(frozen=True)
class PostEnded:
    post: str
    post_type: str
    unit: str
    member: str
    end_date: str
    reason: str = ""
    snapshot: PostSnapshot = field(kw_only=True)


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


@dataclass(frozen=True)
class ResourcesChanged:
    tenant: str
    cause: str  # "import", "merge" or "move"
    source: str  # the import's operation, the merge target, the moved unit
    units: list[UnitSnapshot] = field(default_factory=list)
    members: list[MemberSnapshot] = field(default_factory=list)
    posts: list[PostSnapshot] = field(default_factory=list)


def resources_changed(tenant: str, cause: str, source: str, units: Sequence[UnitSnapshot] = (),
                      members: Sequence[MemberSnapshot] = (),
                      posts: Sequence[PostSnapshot] = ()) -> list[ResourcesChanged]:
    """The snapshots in events of at most SNAPSHOTS_PER_EVENT each (none when nothing changed):
    units first, so that a consumer has a member's unit before the member."""
    tagged = [(0, s) for s in units] + [(1, s) for s in members] + [(2, s) for s in posts]
    events = []
    for start in range(0, len(tagged), SNAPSHOTS_PER_EVENT):
        kinds: tuple[list, list, list] = ([], [], [])
        for kind, snapshot in tagged[start:start + SNAPSHOTS_PER_EVENT]:
            kinds[kind].append(snapshot)
        events.append(ResourcesChanged(tenant, cause, source, *kinds))
    return events
