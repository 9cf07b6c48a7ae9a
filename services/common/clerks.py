"""A clerk (经办人) is confined to the subtree of the unit their token names: the one rule every
service applies, each finding the unit in its own store (organization's tables, a directory)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from services.common.auth import Principal, Role
from services.common.errors import PermissionDenied
from services.common.tenancy import tenant_of

U = TypeVar("U")


def clerk_root(uow, who: Principal, find_unit: Callable[[str], U | None]) -> U | None:
    """The unit a clerk is confined to; None for roles that see the whole county.

    Loaded once per transaction (uow.loaded), however many units a use case checks against it."""
    if who.role is not Role.CLERK:
        return None
    key = ("clerk_root", who.unit)
    if key not in uow.loaded:
        root_id = (who.unit or "").rsplit("/", 1)[-1]
        root = find_unit(root_id) if root_id and tenant_of(who.unit or "") in (None, uow.tenant) else None
        if root is None:
            raise PermissionDenied("CLERK_WITHOUT_UNIT", "经办人令牌未指定有效的所属组织",
                                   "a clerk token must name the unit (subtree) the clerk works for")
        uow.loaded[key] = root
    return uow.loaded[key]


def outside_subtree(unit_name: str, display_name: str) -> PermissionDenied:
    """PERMISSION_DENIED for a unit outside the clerk's subtree."""
    return PermissionDenied(
        "OUTSIDE_CLERK_SUBTREE",
        f"无权操作“{display_name}”：不在您负责的组织范围内",
        f"unit {unit_name} lies outside the clerk's subtree",
    )


def check_own_unit(who: Principal, unit_id: str, unit_name: str, display_name: str) -> None:
    """A clerk acts for their own unit only (Clerk.OWN_UNIT): not for a unit below it, nor beside it.

    Other roles pass: their rule (policy) already confined them to the county."""
    if who.role is not Role.CLERK:
        return
    own = (who.unit or "").rsplit("/", 1)[-1]
    if own != unit_id or tenant_of(who.unit or "") != tenant_of(unit_name):
        raise PermissionDenied(
            "NOT_OWN_UNIT",
            f"只有“{display_name}”的党务工作者可以办理",
            f"only a clerk of {unit_name} itself may do this for it",
            {"unit": unit_name},
        )
