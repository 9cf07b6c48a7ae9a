"""The ledger's daily sweep (督办): problems newly past their deadline are announced once each
(`problem_overdue`), and each open case whose supervision date has come is announced
(`case_supervision_due`) and its next date set N days on. Running it twice a day, or in two
processes at once, writes each event once: every announcement claims its row first."""

from __future__ import annotations

from dataclasses import dataclass

from services.assessment.domain import rectification as r
from services.assessment.domain.case_events import CaseSupervisionDue, ProblemOverdue
from services.assessment.service_layer import case_access as access
from services.assessment.service_layer import case_commands as c
from services.assessment.service_layer.unit_of_work import AssessmentUnitOfWorkFactory
from services.common.archive import without_archived
from services.common.auth import Principal
from services.common.tenancy import ALL_TENANTS


@dataclass(frozen=True)
class SweepCounts:
    overdue: int = 0  # problem_overdue events written
    supervisions: int = 0  # case_supervision_due events written


def sweep_county(cmd: c.SweepCases, uows: AssessmentUnitOfWorkFactory, who: Principal) -> SweepCounts:
    """One county's sweep, in one transaction."""
    overdue = supervisions = 0
    with uows(cmd.tenant) as uow:
        today = cmd.today or access.county_today(uow)
        for case_id in uow.cases.sweep_candidates(today):
            case = uow.cases.get(case_id, lock=True)
            for problem in r.newly_overdue(case, today):
                if uow.cases.claim_overdue(case.id, problem.number):
                    uow.emit(ProblemOverdue.of(case, problem, today))
                    overdue += 1
            if r.supervision_due(case, today):
                due = case.next_supervision_on
                following = r.next_supervision(due, today, case.supervision_days)
                if uow.cases.move_supervision(case.id, due, following):
                    uow.emit(CaseSupervisionDue.of(case, due, following, today))
                    supervisions += 1
        uow.commit()
    return SweepCounts(overdue, supervisions)


def counties_to_sweep(uows: AssessmentUnitOfWorkFactory) -> list[str]:
    """Every county with an open case, archived counties left alone."""
    with uows(ALL_TENANTS, write=False) as uow:
        return without_archived(uow.conn, uow.cases.tenants_with_open_cases())
