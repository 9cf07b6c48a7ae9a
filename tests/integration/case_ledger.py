"""A county with two townships for the rectification ledger's tests (问题台账): each township has a
work station over two villages; callers with their own subjects (the requester of a closure and
the inspector must differ); units placed in the assessment directory as the organization's events
place them."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb
from partybuilding.organization.v1 import organization_service_pb2 as pb
from sqlalchemy import select, update

from services.assessment.adapters import tables
from services.common.clock import today_in
from services.common.db import bind_tenant
from tests.helpers import County


def outbox(platform, tenant: str, prefix: str = "assessment.") -> list[tuple[str, dict]]:
    """The assessment events written for a county, oldest first."""
    with platform.runtime("assessment").engine.connect() as conn, conn.begin():
        bind_tenant(conn, "*")
        rows = conn.execute(select(tables.outbox.c.type, tables.outbox.c.payload).where(
            tables.outbox.c.tenant == tenant).order_by(tables.outbox.c.seq)).all()
    return [(row.type, json.loads(row.payload)) for row in rows if row.type.startswith(prefix)]


def types(platform, tenant: str) -> list[str]:
    return [kind for kind, _ in outbox(platform, tenant)]


class Ledger:
    """The county, its trees (`inside`, `outside`), and callers by role."""

    def __init__(self, platform):
        self.p = platform
        self.county = County(platform)
        self.code, self.parent = self.county.code, self.county.parent
        self.s = platform.assessment
        self.today = today_in()
        self.inside = self._township("彭镇")
        self.outside = self._township("尧生镇")
        self.member = self.county.member(self.inside.village.name, "王书记")
        self._known([*self.inside.units, *self.outside.units], [self.member])
        code = [self.code]
        self.admin = platform.as_("county_admin", code, subject="user:admin")
        self.admin2 = platform.as_("county_admin", code, subject="user:admin2")
        self.chief = platform.as_("clerk", code, subject="user:chief", unit=self.inside.station.name)
        self.other_chief = platform.as_("clerk", code, subject="user:chief2", unit=self.outside.station.name)
        self.town_clerk = platform.as_("clerk", code, subject="user:town", unit=self.inside.town.name)
        self.village_clerk = platform.as_("clerk", code, subject="user:village", unit=self.inside.village.name)
        self.city = platform.as_("city", [self.code[:4] + "00"], subject="user:city")

    def _township(self, name: str) -> SimpleNamespace:
        town = self.county.unit(pb.TOWNSHIP, name)
        station = self.county.unit(pb.WORK_STATION, f"{name}工作站", town.name)
        village, village2 = (self.county.unit(pb.VILLAGE, f"{name}村{i}", station.name) for i in range(2))
        return SimpleNamespace(town=town, station=station, village=village, village2=village2,
                               units=[town, station, village, village2])

    def _known(self, units, members) -> None:
        # The test platform runs no relay: a subtree query reads only what the directory stores.
        with self.p.runtime("assessment").uow_factory(self.code) as uow:
            uow.directory.apply_units(units)
            uow.directory.apply_members(members)
            uow.commit()

    def day(self, offset: int) -> str:
        return (self.today + dt.timedelta(days=offset)).isoformat()

    def problem(self, description: str = "党员活动室长期闲置", *, deadline: int = 30, owner: str = "王书记",
                member: str = "", subject: str = "", measures=("每月开放活动室", "建立值班制度")) -> cpb.Problem:
        return cpb.Problem(description=description, measures=list(measures), deadline=self.day(deadline),
                           owner=cpb.Owner(display_name=owner, member=member, subject=subject))

    def create(self, *problems: cpb.Problem, unit: str = "", title: str = "软弱涣散整顿", md=None, request_id: str = "",
               **fields) -> cpb.Case:
        listed = fields.pop("problems", None)
        message = cpb.Case(unit=unit or self.inside.village.name, title=title,
                           problems=listed if listed is not None else list(problems) or [self.problem()], **fields)
        return self.s.CreateCase(cpb.CreateCaseRequest(parent=self.parent, case=message, request_id=request_id),
                                 metadata=md or self.admin)

    def get(self, name: str, md=None) -> cpb.Case:
        return self.s.GetCase(cpb.GetCaseRequest(name=name), metadata=md or self.admin)

    def list(self, md=None, **fields) -> cpb.ListCasesResponse:
        return self.s.ListCases(cpb.ListCasesRequest(parent=self.parent, **fields), metadata=md or self.admin)

    def progress(self, problem: str, note: str = "已整改一半", md=None, **fields) -> cpb.Problem:
        return self.s.UpdateProblem(cpb.UpdateProblemRequest(name=problem, progress_note=note, **fields),
                                    metadata=md or self.village_clerk)

    def request_closure(self, problem: str, md=None, **fields) -> cpb.Problem:
        return self.s.RequestClosure(cpb.RequestClosureRequest(name=problem, **fields),
                                     metadata=md or self.village_clerk)

    def verify(self, problem: str, passed: bool = True, note: str = "", md=None, **fields) -> cpb.Problem:
        return self.s.VerifyAndClose(cpb.VerifyAndCloseRequest(name=problem, passed=passed, note=note, **fields),
                                     metadata=md or self.chief)


def as_if_opened_days_ago(ledger: Ledger, case_name: str, days: int) -> None:
    """Move a case's deadlines and supervision date back by `days`, as if it had been opened then
    (a deadline before today cannot be given at creation)."""
    case_id = case_name.rsplit("/", 1)[-1]
    shift = dt.timedelta(days=days)
    with ledger.p.runtime("assessment").uow_factory(ledger.code) as uow:
        case = uow.cases.get(case_id)
        uow.conn.execute(update(tables.cases).where(tables.cases.c.tenant == ledger.code, tables.cases.c.id == case_id)
                         .values(next_supervision_on=case.next_supervision_on - shift))
        for problem in case.problems:
            uow.conn.execute(update(tables.case_problems).where(
                tables.case_problems.c.tenant == ledger.code, tables.case_problems.c.case_id == case_id,
                tables.case_problems.c.number == problem.number).values(deadline=problem.deadline - shift))
        uow.commit()
