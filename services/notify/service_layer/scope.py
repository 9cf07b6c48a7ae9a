"""Who may act where: a clerk (经办人) sends and reads inside the subtree of the unit their token
names, and does a unit's own business (签收, its report, its inbox) for that unit only.

Units and their paths come from this service's directory of the organization (`uow.directory`).
"""

from __future__ import annotations

from services.common import clerks
from services.common.auth import Principal
from services.common.tenancy import tenant_name
from services.notify.domain.names import unit_name
from services.notify.service_layer.unit_of_work import NotifyUnitOfWork


def clerk_root(uow: NotifyUnitOfWork, who: Principal):
    """The subtree a clerk is confined to; None for roles that see the whole county."""
    return clerks.clerk_root(uow, who, uow.directory.unit)


def own_unit_id(who: Principal) -> str | None:
    """The unit a clerk's token names (a clerk's notice is sent from it by default)."""
    return (who.unit or "").rsplit("/", 1)[-1] or None


def check_within(uow: NotifyUnitOfWork, who: Principal, unit) -> None:
    """A clerk sends to, sends from and reads about units inside their own subtree only."""
    root = clerk_root(uow, who)
    if root is not None and not unit.path.startswith(root.path):
        raise clerks.outside_subtree(unit_name(uow.tenant, unit.id), unit.display_name)


def check_sender_within(uow: NotifyUnitOfWork, who: Principal, sender_unit_id: str | None) -> None:
    """A notice a clerk may read about was sent from inside their subtree (not by the county)."""
    root = clerk_root(uow, who)
    if root is None:
        return
    sender = uow.directory.unit(sender_unit_id) if sender_unit_id else None
    if sender is None:
        raise clerks.outside_subtree(tenant_name(uow.tenant), "县委组织部")
    check_within(uow, who, sender)


def check_own_unit(uow: NotifyUnitOfWork, who: Principal, unit_id: str, display_name: str) -> None:
    """A unit's own business with a notice is done by that unit's clerk (or the county, a system)."""
    clerks.check_own_unit(who, unit_id, unit_name(uow.tenant, unit_id), display_name)
