"""The directory's event handlers: every organization event that carries a snapshot, applied by version.

A service merges `directory_handlers()` into its `HANDLERS`; its unit of work attaches the
directory as `uow.directory`. A snapshot an older event lacks is skipped; fields and enum values
added to the contract after this build are ignored. No grpc here: the event worker imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from partybuilding.common.v1.events_pb2 import EventEnvelope
from partybuilding.organization.v1 import organization_events_pb2 as ev

from services.common.directory.repository import Directory
from services.common.events.envelope import typed_payload

PRODUCER = "organization"


@dataclass
class Changes:
    """The snapshots one event carries, by kind."""

    tenants: list = field(default_factory=list)
    units: list = field(default_factory=list)
    members: list = field(default_factory=list)
    posts: list = field(default_factory=list)

    def apply(self, directory: Directory) -> None:
        for tenant in self.tenants:
            directory.apply_tenant(tenant)
        if self.units:
            directory.apply_units(self.units)
        if self.members:
            directory.apply_members(self.members)
        if self.posts:
            directory.apply_posts(self.posts)


def _present(message, name: str) -> list:
    return [getattr(message, name)] if message.HasField(name) else []


def _tenant(e) -> Changes:
    return Changes(tenants=_present(e, "snapshot"))


def _unit(e) -> Changes:
    return Changes(units=_present(e, "snapshot"))


def _member(e) -> Changes:
    return Changes(members=_present(e, "snapshot"))


def _post(e) -> Changes:
    return Changes(posts=_present(e, "snapshot"))


def _merged(e: ev.UnitMergedEvent) -> Changes:
    return Changes(units=_present(e, "target_snapshot") + list(e.source_snapshots))


def _resources(e: ev.ResourcesChangedEvent) -> Changes:
    return Changes(units=list(e.units), members=list(e.members), posts=list(e.posts))


# Event type (without the producer's prefix) -> its contract and the snapshots it carries.
EVENTS: dict[str, tuple[type, Callable[..., Changes]]] = {
    "tenant_created": (ev.TenantCreatedEvent, _tenant),
    "tenant_updated": (ev.TenantUpdatedEvent, _tenant),
    "unit_created": (ev.UnitCreatedEvent, _unit),
    "unit_updated": (ev.UnitUpdatedEvent, _unit),
    "unit_moved": (ev.UnitMovedEvent, _unit),
    "unit_merged": (ev.UnitMergedEvent, _merged),
    "unit_archived": (ev.UnitArchivedEvent, _unit),
    "member_created": (ev.MemberCreatedEvent, _member),
    "member_updated": (ev.MemberUpdatedEvent, _member),
    "member_transferred": (ev.MemberTransferredEvent, _member),
    "post_assigned": (ev.PostAssignedEvent, _post),
    "post_ended": (ev.PostEndedEvent, _post),
    "resources_changed": (ev.ResourcesChangedEvent, _resources),
}


def _handler(contract: type, carried: Callable[..., Changes]) -> Callable[[EventEnvelope, Callable], None]:
    def apply_to_directory(env: EventEnvelope, uow_factory: Callable) -> None:
        # The unit of work first: the consumer claims the event as its opening statement.
        with uow_factory(env.tenant) as uow:
            carried(typed_payload(env, contract, ignore_unknown_fields=True)).apply(uow.directory)
            uow.commit()

    apply_to_directory.__qualname__ = f"apply_to_directory[{contract.__name__}]"
    return apply_to_directory


def directory_handlers() -> dict[tuple[str, str], Callable[[EventEnvelope, Callable], None]]:
    """{(producer, type): handler} for every organization event that feeds the directory."""
    return {(PRODUCER, f"{PRODUCER}.{name}"): _handler(contract, carried)
            for name, (contract, carried) in EVENTS.items()}
