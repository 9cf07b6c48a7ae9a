"""Who may act where: a clerk (经办人) is confined to the subtree of the unit their token names.

Units and their paths come from the points service's directory of the organization
(`uow.directory`, services/common/directory), never from the organization's tables.
"""

from __future__ import annotations

from services.common.auth import Principal, Role
from services.common.errors import PermissionDenied
from services.common.tenancy import tenant_of
from services.points.domain.names import unit_name
from services.points.service_layer.unit_of_work import PointsUnitOfWork


def clerk_root(uow: PointsUnitOfWork, who: Principal):
    """The directory unit a clerk is confined to; None for roles that see the whole county.

    Loaded once per transaction, however many members or units a use case checks against it."""
    if who.role is not Role.CLERK:
        return None
    key = ("clerk_root", who.unit)
    if key not in uow.loaded:
        root_id = (who.unit or "").rsplit("/", 1)[-1]
        root = uow.directory.unit(root_id) if root_id and tenant_of(who.unit or "") in (None, uow.tenant) else None
        if root is None:
            raise PermissionDenied("CLERK_WITHOUT_UNIT", "经办人令牌未指定有效的所属组织",
                                   "a clerk token must name the unit (subtree) the clerk works for")
        uow.loaded[key] = root
    return uow.loaded[key]


def check_unit_within(uow: PointsUnitOfWork, who: Principal, unit) -> None:
    """A clerk may act only on units (and their members) inside their own subtree."""
    root = clerk_root(uow, who)
    if root is not None and not unit.path.startswith(root.path):
        raise PermissionDenied(
            "OUTSIDE_CLERK_SUBTREE",
            f"无权操作“{unit.display_name}”：不在您负责的组织范围内",
            f"unit {unit_name(uow.tenant, unit.id)} lies outside the clerk's subtree",
        )
