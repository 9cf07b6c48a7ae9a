"""Rebuild one county's directory from the organization's list RPCs (a new service, a lost queue).

Everything listed is upserted (an equal version is rewritten too, a newer one applied by an
event meanwhile is kept); what the organization no longer lists is removed, unless an event
applied it after the resync began. The lists are read before the transaction opens, so no
database lock is held while the organization answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from services.common.clock import utcnow
from services.common.directory.model import (
    DirectoryMember,
    DirectoryPost,
    DirectoryTenant,
    DirectoryUnit,
    OrganizationReader,
)
from services.common.errors import not_found
from services.common.tenancy import tenant_name


class OrganizationLister(OrganizationReader, Protocol):
    """What a resync asks the owner (`client.OrganizationClient`)."""

    def list_units(self, tenant: str) -> Iterable[DirectoryUnit]: ...

    def list_members(self, tenant: str) -> Iterable[DirectoryMember]: ...

    def list_posts(self, tenant: str, unit_id: str) -> Iterable[DirectoryPost]: ...


@dataclass(frozen=True)
class ResyncCounts:
    """What the organization listed, and how many rows it no longer holds were removed."""

    units: int
    members: int
    posts: int
    removed: int


def resync_directory(tenant: str, uows: Callable, client: OrganizationLister) -> ResyncCounts:
    """Make the county's directory what the organization lists now; NOT_FOUND for an unknown county."""
    started = utcnow()
    county: DirectoryTenant | None = client.get_tenant(tenant)
    if county is None:
        raise not_found("县", "tenant", tenant_name(tenant))
    units = list(client.list_units(tenant))
    members = list(client.list_members(tenant))
    posts = [post for unit in units for post in client.list_posts(tenant, unit.id)]
    with uows(tenant) as uow:
        directory = uow.directory
        directory.apply_tenant(county, overwrite_equal=True)
        directory.apply_units(units, overwrite_equal=True)
        directory.apply_members(members, overwrite_equal=True)
        directory.apply_posts(posts, overwrite_equal=True)
        tables = directory.tables
        removed = sum(
            directory.remove(table, directory.ids(table) - {row.id for row in listed}, applied_before=started)
            for table, listed in ((tables.units, units), (tables.members, members), (tables.posts, posts)))
        uow.commit()
    return ResyncCounts(len(units), len(members), len(posts), removed)
