"""What the ledger's use cases load and check before they touch a case: the case, its problem,
its unit, the county's today, and who may act on it (a clerk in their subtree; 销号 by the
work-station chief above the unit or the county)."""

from __future__ import annotations

import datetime as dt

from services.assessment.domain.names import case_name, member_name, problem_name, unit_name
from services.assessment.domain.rectification import Case, Problem
from services.assessment.service_layer import scope
from services.assessment.service_layer.unit_of_work import AssessmentUnitOfWork
from services.common import clerks
from services.common.auth import Principal, Role
from services.common.clock import DEFAULT_TZ, today_in
from services.common.errors import InvalidArgument, PermissionDenied, not_found

# The unit type of a Party-building work station (党建工作站) in the directory.
WORK_STATION = "WORK_STATION"


def county_today(uow: AssessmentUnitOfWork) -> dt.date:
    """Today in the county's time zone (deadlines and supervision dates are the county's days)."""
    key = ("county_today",)
    if key not in uow.loaded:
        tenant = uow.directory.tenant()
        uow.loaded[key] = today_in((tenant.time_zone if tenant is not None else "") or DEFAULT_TZ)
    return uow.loaded[key]


def load_case(uow: AssessmentUnitOfWork, case_id: str, *, lock: bool = False) -> Case:
    case = uow.cases.get(case_id, lock=lock)
    if case is None:
        raise not_found("问题台账", "case", case_name(uow.tenant, case_id))
    return case


def load_problem(case: Case, number: int) -> Problem:
    problem = case.problem(number)
    if problem is None:
        raise not_found("台账问题", "problem", problem_name(case.tenant, case.id, number))
    return problem


def referenced_unit(uow: AssessmentUnitOfWork, unit_id: str, field_path: str, *, active: bool = True):
    """The unit a request names: INVALID_ARGUMENT on the field when unknown or (for `active`) no
    longer active."""
    if not unit_id:
        raise InvalidArgument.field(field_path, "请指明组织（tenants/{code}/units/{id}）",
                                    "must name a unit (tenants/{code}/units/{id})")
    unit = uow.directory.unit(unit_id)
    name = unit_name(uow.tenant, unit_id)
    if unit is None:
        raise InvalidArgument.field(field_path, f"组织不存在：{name}", f"no such unit: {name}", "UNIT_NOT_FOUND")
    if active and not unit.active:
        raise InvalidArgument.field(field_path, f"组织“{unit.display_name}”已撤销或合并，不能建立整改台账",
                                    f"{name} is {unit.state}: an active unit rectifies", "UNIT_NOT_ACTIVE")
    return unit


def referenced_member(uow: AssessmentUnitOfWork, member_id: str, field_path: str):
    member = uow.directory.member(member_id)
    if member is None:
        name = member_name(uow.tenant, member_id)
        raise InvalidArgument.field(field_path, f"党员不存在：{name}", f"no such member: {name}", "MEMBER_NOT_FOUND")
    return member


def case_unit(uow: AssessmentUnitOfWork, who: Principal, case: Case):
    """The case's unit as the directory knows it now, checked against a clerk's subtree."""
    unit = uow.directory.unit(case.unit_id)
    if unit is None:  # the organization forgot it: only the county still sees the case
        if who.role is Role.CLERK:
            raise clerks.outside_subtree(unit_name(uow.tenant, case.unit_id), case.unit_id)
        return None
    scope.check_unit_within(uow, who, unit)
    return unit


def check_station_chief(uow: AssessmentUnitOfWork, who: Principal, unit, problem_label: str) -> None:
    """A clerk closes (销号) only as the chief of the work station above the case's unit (宜君:
    工作站站长签署销号意见); the county may always."""
    if who.role is not Role.CLERK:
        return
    root = scope.clerk_root(uow, who)
    above = unit is not None and root.type == WORK_STATION and root.id != unit.id and unit.path.startswith(root.path)
    if not above:
        raise PermissionDenied(
            "NOT_THE_STATION_CHIEF",
            f"只有该组织所在党建工作站的站长或县委组织部可以为 {problem_label} 销号",
            f"only the chief of the work station above the unit, or the county, closes {problem_label}",
            {"resource": problem_label},
        )


def owner_subjects(tenant: str, problem: Problem) -> frozenset[str]:
    """How a caller is recognised as the problem's owner: their account, or a token naming them."""
    names = {problem.owner.subject}
    if problem.owner.member_id:
        names.add(member_name(tenant, problem.owner.member_id))
    return frozenset(names - {""})
