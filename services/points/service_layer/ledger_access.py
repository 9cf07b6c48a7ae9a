"""What the ledger's use cases load and check before they touch the ledger: members, entries,
the county's calendar, and who may act on whom."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from services.common.auth import Principal, Role
from services.common.clock import DEFAULT_TZ, today_in
from services.common.errors import FailedPrecondition, InvalidArgument, PermissionDenied, not_found
from services.points.domain.ledger import Entry
from services.points.domain.names import entry_name, member_name
from services.points.service_layer import scope
from services.points.service_layer.unit_of_work import PointsUnitOfWork

YEAR_RANGE = (2000, 2100)


def time_zone(uow: PointsUnitOfWork) -> str:
    """The county's time zone (its year boundaries), from the directory; Asia/Shanghai by default."""
    key = ("time_zone",)
    if key not in uow.loaded:
        tenant = uow.directory.tenant()
        uow.loaded[key] = (tenant.time_zone if tenant is not None else "") or DEFAULT_TZ
    return uow.loaded[key]


def local_date(uow: PointsUnitOfWork, moment: dt.datetime) -> dt.date:
    return moment.astimezone(ZoneInfo(time_zone(uow))).date()


def year_of(uow: PointsUnitOfWork, requested: int, field_path: str = "year") -> int:
    """The year a read asks for; 0 is this year in the county's time zone."""
    if requested == 0:
        return today_in(time_zone(uow)).year
    if not YEAR_RANGE[0] <= requested <= YEAR_RANGE[1]:
        raise InvalidArgument.field(field_path, f"年份应在 {YEAR_RANGE[0]} 至 {YEAR_RANGE[1]} 之间",
                                    f"must be a year from {YEAR_RANGE[0]} to {YEAR_RANGE[1]}")
    return requested


def day_for_year(uow: PointsUnitOfWork, year: int) -> dt.date:
    """The day whose rules describe a year with no entries: today in this year, else its last day
    (a past year) or its first (a future one)."""
    today = today_in(time_zone(uow))
    if today.year == year:
        return today
    return dt.date(year, 12, 31) if year < today.year else dt.date(year, 1, 1)


def check_member_tenant(uow: PointsUnitOfWork, who: Principal, member_tenant: str, field_path: str) -> None:
    """Another county's member: PERMISSION_DENIED when the caller may not see it, else not this county's."""
    if member_tenant == uow.tenant:
        return
    who.check_tenant(member_tenant, write=uow.write)
    raise InvalidArgument.field(field_path, f"该党员不属于 {uow.tenant}", f"must be a member of tenants/{uow.tenant}",
                                "MEMBER_OF_ANOTHER_TENANT")


def referenced_member(uow: PointsUnitOfWork, member_id: str, field_path: str):
    """A member a write names: INVALID_ARGUMENT on the field when the organization does not know them."""
    member = uow.directory.member(member_id)
    if member is None:
        raise InvalidArgument.field(field_path, f"党员不存在：{member_name(uow.tenant, member_id)}",
                                    f"no such member: {member_name(uow.tenant, member_id)}", "MEMBER_NOT_FOUND")
    return member


def load_member(uow: PointsUnitOfWork, member_id: str):
    member = uow.directory.member(member_id)
    if member is None:
        raise not_found("党员", "member", member_name(uow.tenant, member_id))
    return member


def check_member_within(uow: PointsUnitOfWork, who: Principal, member) -> None:
    """A clerk acts on (and reads) members of their own subtree only."""
    if who.role is not Role.CLERK:
        return
    unit = uow.directory.unit(member.unit_id)
    if unit is None:
        raise PermissionDenied("OUTSIDE_CLERK_SUBTREE", f"无权操作党员“{member.display_name}”：不在您负责的组织范围内",
                               f"member {member_name(uow.tenant, member.id)} lies outside the clerk's subtree")
    scope.check_unit_within(uow, who, unit)


def check_recordable(uow: PointsUnitOfWork, member) -> None:
    """A member transferred out of this county keeps their history here, read-only: no entry,
    decision or reversal is added (their new county starts them afresh)."""
    if not member.active:
        raise FailedPrecondition(
            "MEMBER_TRANSFERRED_OUT",
            f"党员“{member.display_name}”已转出本县，积分台账只读",
            f"member {member_name(uow.tenant, member.id)} was transferred out of this county: "
            "their ledger here is read-only",
            {"resource": member_name(uow.tenant, member.id)},
        )


def check_recorder(who: Principal, rule) -> None:
    """The rule says who may record it; the platform's operator acts as a county admin."""
    role = Role.COUNTY_ADMIN if who.role is Role.OPERATOR else who.role
    allowed = {str(r) for r in rule.recorder_roles}
    if role.value not in allowed:
        raise PermissionDenied(
            "RECORDER_NOT_ALLOWED",
            f"角色 {who.role.value} 不能录入规则 {rule.code}（{rule.name_zh}）",
            f"role {who.role.value} may not record rule {rule.code}; it is recorded by {', '.join(sorted(allowed))}",
            {"rule_code": rule.code},
        )


def load_entry(uow: PointsUnitOfWork, entry_id: str) -> Entry:
    entry = uow.ledger.get(entry_id)
    if entry is None:
        raise not_found("积分条目", "entry", entry_name(uow.tenant, entry_id))
    return entry
