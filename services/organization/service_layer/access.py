"""Shared checks of the use cases: existence, etags, and a clerk's subtree."""

from __future__ import annotations

from services.common.auth import Principal, Role
from services.common.errors import (
    FailedPrecondition,
    InvalidArgument,
    PermissionDenied,
    not_found,
    stale_etag,
)
from services.common.tenancy import tenant_of
from services.organization.domain.model import Member, Post, Tenant, Unit
from services.organization.service_layer.unit_of_work import OrgUnitOfWork


def unit_name(tenant: str, unit_id: str) -> str:
    return f"tenants/{tenant}/units/{unit_id}"


def member_name(tenant: str, member_id: str) -> str:
    return f"tenants/{tenant}/members/{member_id}"


def post_name(tenant: str, post_id: str) -> str:
    return f"tenants/{tenant}/posts/{post_id}"


def etag_of(version: int) -> str:
    return f'"{version}"'


def check_etag(given: str, version: int, name: str) -> None:
    """An empty etag means "overwrite"; a stale one is ABORTED (AIP-154)."""
    if given and given != etag_of(version):
        raise stale_etag(name)


def load_tenant(uow: OrgUnitOfWork, code: str) -> Tenant:
    tenant = uow.tenants.get(code)
    if tenant is None:
        raise not_found("县", "tenant", f"tenants/{code}")
    return tenant


def referenced_unit(uow: OrgUnitOfWork, unit_id: str, field_path: str, zh: str = "组织不存在", *,
                    lock: bool = False) -> Unit:
    """A unit a request field points at. Its absence makes the request wrong (INVALID_ARGUMENT on
    that field), unlike a missing resource the request is about (NOT_FOUND)."""
    unit = uow.units.get(unit_id, lock=lock) if unit_id else None
    if unit is None:
        raise InvalidArgument.field(field_path, zh, f"no such unit: {unit_name(uow.tenant, unit_id)}", "UNKNOWN_UNIT")
    return unit


def load_unit(uow: OrgUnitOfWork, unit_id: str, *, active: bool = False, lock: bool = False) -> Unit:
    unit = uow.units.get(unit_id, lock=lock)
    if unit is None:
        raise not_found("组织", "unit", unit_name(uow.tenant, unit_id))
    if active and not unit.active:
        raise FailedPrecondition(
            "UNIT_NOT_ACTIVE",
            f"组织“{unit.display_name}”已{'撤并' if unit.merged_into else '撤销'}，不能再操作",
            f"unit {unit_name(uow.tenant, unit_id)} is {unit.state.value.lower()} and cannot be changed",
        )
    return unit


def load_member(uow: OrgUnitOfWork, member_id: str) -> Member:
    member = uow.members.get(member_id)
    if member is None:
        raise not_found("党员", "member", member_name(uow.tenant, member_id))
    return member


def load_post(uow: OrgUnitOfWork, post_id: str) -> Post:
    post = uow.posts.get(post_id)
    if post is None:
        raise not_found("职务", "post", post_name(uow.tenant, post_id))
    return post


def clerk_root(uow: OrgUnitOfWork, who: Principal) -> Unit | None:
    """The subtree a clerk is confined to; None for roles that see the whole county."""
    if who.role is not Role.CLERK:
        return None
    root_id = (who.unit or "").rsplit("/", 1)[-1]
    root = uow.units.get(root_id) if root_id and tenant_of(who.unit or "") in (None, uow.tenant) else None
    if root is None:
        raise PermissionDenied("CLERK_WITHOUT_UNIT", "经办人令牌未指定有效的所属组织",
                               "a clerk token must name the unit (subtree) the clerk works for")
    return root


def check_within(uow: OrgUnitOfWork, who: Principal, unit: Unit) -> None:
    """A clerk may act only on units inside their own subtree."""
    root = clerk_root(uow, who)
    if root is not None and not root.contains(unit):
        raise PermissionDenied(
            "OUTSIDE_CLERK_SUBTREE",
            f"无权操作“{unit.display_name}”：不在您负责的组织范围内",
            f"unit {unit_name(uow.tenant, unit.id)} lies outside the clerk's subtree",
        )

