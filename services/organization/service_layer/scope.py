"""Who may act where: a clerk (经办人) is confined to the subtree of the unit their token names."""

from __future__ import annotations

from services.common import clerks
from services.common.auth import Principal
from services.organization.domain.model import Unit
from services.organization.domain.names import unit_name
from services.organization.service_layer.unit_of_work import OrgUnitOfWork


def clerk_root(uow: OrgUnitOfWork, who: Principal) -> Unit | None:
    """The subtree a clerk is confined to; None for roles that see the whole county."""
    return clerks.clerk_root(uow, who, uow.units.get)


def check_within(uow: OrgUnitOfWork, who: Principal, unit: Unit) -> None:
    """A clerk may act only on units inside their own subtree."""
    root = clerk_root(uow, who)
    if root is not None and not root.contains(unit):
        raise clerks.outside_subtree(unit_name(uow.tenant, unit.id), unit.display_name)
