"""Shared loads: `load_x` answers NOT_FOUND, `referenced_x` INVALID_ARGUMENT on the request's field."""

from __future__ import annotations

from services.common.errors import InvalidArgument, not_found
from services.notify.domain.names import notice_name, recipient_name, unit_name
from services.notify.domain.notices import Notice, Recipient
from services.notify.service_layer.unit_of_work import NotifyUnitOfWork


def load_notice(uow: NotifyUnitOfWork, notice_id: str) -> Notice:
    notice = uow.notices.get(notice_id)
    if notice is None:
        raise not_found("通知", "notice", notice_name(uow.tenant, notice_id))
    return notice


def load_recipient(uow: NotifyUnitOfWork, notice_id: str, unit_id: str, for_update: bool = False) -> tuple[Notice, Recipient]:
    """A notice and one addressed unit's copy of it; NOT_FOUND when the unit is not among its recipients."""
    notice = load_notice(uow, notice_id)
    recipient = uow.notices.recipient(notice_id, unit_id, for_update)
    if recipient is None:
        raise not_found("通知接收单位", "recipient", recipient_name(uow.tenant, notice_id, unit_id))
    return notice, recipient


def referenced_unit(uow: NotifyUnitOfWork, unit_id: str, field_path: str, active: bool = True):
    """A unit a request names (a sender, a subtree): INVALID_ARGUMENT when unknown or no longer active."""
    unit = uow.directory.unit(unit_id)
    name = unit_name(uow.tenant, unit_id)
    if unit is None:
        raise InvalidArgument.field(field_path, f"组织不存在：{name}", f"unit not found: {name}", "UNIT_NOT_FOUND")
    if active and not unit.active:
        raise InvalidArgument.field(field_path, f"“{unit.display_name}”已撤销或合并，不能收发通知",
                                    f"unit {name} is archived or merged and cannot send or receive notices",
                                    "UNIT_NOT_ACTIVE")
    return unit


def unit_for_read(uow: NotifyUnitOfWork, unit_id: str):
    """A unit a read names (an inbox, a listing's filter): NOT_FOUND when the directory does not know it."""
    unit = uow.directory.unit(unit_id)
    if unit is None:
        raise not_found("组织", "unit", unit_name(uow.tenant, unit_id))
    return unit
