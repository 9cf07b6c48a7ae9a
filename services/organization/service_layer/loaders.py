"""Shared loads of the use cases: a resource the request is about (`load_x`, NOT_FOUND) and one a
request field points at (`referenced_x`, INVALID_ARGUMENT on that field)."""

from __future__ import annotations

from services.common.errors import FailedPrecondition, InvalidArgument, not_found
from services.common.tenancy import tenant_name
from services.organization.domain.model import Member, Post, Tenant, Unit
from services.organization.domain.names import member_name, post_name, unit_name
from services.organization.service_layer.unit_of_work import OrgUnitOfWork


def load_tenant(uow: OrgUnitOfWork, code: str) -> Tenant:
    """The county, loaded once per transaction however many checks ask for its settings."""
    key = ("tenant", code)
    if key not in uow.loaded:
        tenant = uow.tenants.get(code)
        if tenant is None:
            raise not_found("县", "tenant", tenant_name(code))
        uow.loaded[key] = tenant
    return uow.loaded[key]


def _check_active(uow: OrgUnitOfWork, unit: Unit) -> None:
    if not unit.active:
        raise FailedPrecondition(
            "UNIT_NOT_ACTIVE",
            f"组织“{unit.display_name}”已{'撤并' if unit.merged_into else '撤销'}，不能再操作",
            f"unit {unit_name(uow.tenant, unit.id)} is {unit.state.value.lower()} and cannot be changed",
        )


def referenced_unit(uow: OrgUnitOfWork, unit_id: str, field_path: str, zh: str = "组织不存在", *,
                    lock: bool = False, active: bool = False) -> Unit:
    """A unit a request field points at. Its absence makes the request wrong (INVALID_ARGUMENT on
    that field), unlike a missing resource the request is about (NOT_FOUND)."""
    unit = uow.units.get(unit_id, lock=lock) if unit_id else None
    if unit is None:
        raise InvalidArgument.field(field_path, zh, f"no such unit: {unit_name(uow.tenant, unit_id)}", "UNKNOWN_UNIT")
    if active:
        _check_active(uow, unit)
    return unit


def referenced_parent(uow: OrgUnitOfWork, unit_id: str, field_path: str, zh_label: str, en_label: str) -> Unit:
    """The unit a new or moved unit goes under, locked: it exists (else INVALID_ARGUMENT on the
    field) and is active (else FAILED_PRECONDITION)."""
    parent = uow.units.get(unit_id, lock=True)
    if parent is None:
        raise InvalidArgument.field(field_path, f"{zh_label}不存在", f"no such unit: {unit_name(uow.tenant, unit_id)}",
                                    "UNKNOWN_PARENT")
    if not parent.active:
        raise FailedPrecondition("PARENT_NOT_ACTIVE", f"{zh_label}“{parent.display_name}”已撤销或撤并",
                                 f"the {en_label} is archived or merged")
    return parent


def load_unit(uow: OrgUnitOfWork, unit_id: str, *, active: bool = False, lock: bool = False) -> Unit:
    unit = uow.units.get(unit_id, lock=lock)
    if unit is None:
        raise not_found("组织", "unit", unit_name(uow.tenant, unit_id))
    if active:
        _check_active(uow, unit)
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
