"""Use cases that change an open case's plan (the county's): AddProblem, ReviseProblem (延期,
调整措施, 更换责任人), RemoveProblem (撤销). Each locks the case, checks the etag, applies
domain/case_edits, writes the problem whole with its note, and emits its event; a retried
request id answers the case or problem as it is now, the change applied once."""

from __future__ import annotations

from services.assessment.domain import case_edits as edits
from services.assessment.domain.case_events import (
    CaseClosed,
    ProblemAdded,
    ProblemRemoved,
    ProblemRevised,
)
from services.assessment.domain.names import case_name, problem_name
from services.assessment.domain.rectification import PROBLEM_FIELDS, Case, ProblemDraft
from services.assessment.service_layer import case_access as access
from services.assessment.service_layer import case_commands as c
from services.assessment.service_layer.cases import CaseView, ProblemView, with_owners
from services.assessment.service_layer.unit_of_work import (
    AssessmentUnitOfWork,
    AssessmentUnitOfWorkFactory,
)
from services.common.auth import Principal
from services.common.clock import utcnow
from services.common.errors import check_update_mask, stale_etag
from services.common.tenancy import check_etag


def _save(uow: AssessmentUnitOfWork, case: Case, problem, read_version: int, *, added: bool = False) -> None:
    if not uow.cases.save_move(case, problem, read_version, added=added):
        raise stale_etag(case_name(uow.tenant, case.id))


def add_problem(cmd: c.AddProblem, uows: AssessmentUnitOfWorkFactory, who: Principal) -> CaseView:
    with uows(cmd.tenant) as uow:
        claim = uow.idempotency.claim("AddProblem", cmd)
        case = access.load_case(uow, cmd.case_id, lock=claim.done is None)
        unit = access.case_unit(uow, who, case)
        today = access.county_today(uow)
        view = CaseView(case, unit.display_name if unit else "", today)
        if claim.done is not None:
            return view
        label = case_name(uow.tenant, case.id)
        check_etag(cmd.etag, case.version, label)
        [draft] = with_owners(uow, [cmd.problem], lambda _: "problem")
        read_version = case.version
        problem = edits.add_problem(case, draft, cmd.note, who.subject, utcnow(), today, label)
        _save(uow, case, problem, read_version, added=True)
        uow.emit(ProblemAdded.of(case, problem, today))
        claim.remember(label)
        uow.commit()
        return view


def revise_problem(cmd: c.ReviseProblem, uows: AssessmentUnitOfWorkFactory, who: Principal) -> ProblemView:
    check_update_mask(cmd.changes, PROBLEM_FIELDS)
    with uows(cmd.tenant) as uow:
        claim = uow.idempotency.claim("ReviseProblem", cmd)
        case = access.load_case(uow, cmd.case_id, lock=claim.done is None)
        problem = access.load_problem(case, cmd.number)
        access.case_unit(uow, who, case)
        today = access.county_today(uow)
        if claim.done is not None:
            return ProblemView(case, problem, today)
        name = problem_name(uow.tenant, case.id, problem.number)
        check_etag(cmd.etag, problem.version, name)
        changes = dict(cmd.changes)
        if "owner" in changes:
            owner_only = ProblemDraft(problem.description, problem.measures, problem.deadline, changes["owner"])
            changes["owner"] = with_owners(uow, [owner_only], lambda _: "problem")[0].owner
        read_version = case.version
        changed, reason = edits.revise_problem(case, problem, changes, cmd.reason, who.subject, utcnow(), today, name)
        _save(uow, case, problem, read_version)
        uow.emit(ProblemRevised.of(case, problem, today, changed, reason))
        claim.remember(name)
        uow.commit()
        return ProblemView(case, problem, today)


def remove_problem(cmd: c.RemoveProblem, uows: AssessmentUnitOfWorkFactory, who: Principal) -> CaseView:
    with uows(cmd.tenant) as uow:
        claim = uow.idempotency.claim("RemoveProblem", cmd)
        case = access.load_case(uow, cmd.case_id, lock=claim.done is None)
        problem = access.load_problem(case, cmd.number)
        unit = access.case_unit(uow, who, case)
        today = access.county_today(uow)
        view = CaseView(case, unit.display_name if unit else "", today)
        if claim.done is not None:
            return view
        name = problem_name(uow.tenant, case.id, problem.number)
        check_etag(cmd.etag, problem.version, name)
        read_version = case.version
        closed, reason = edits.remove_problem(case, problem, cmd.reason, who.subject, utcnow(), name)
        _save(uow, case, problem, read_version)
        uow.emit(ProblemRemoved.of(case, problem, today, reason))
        if closed:
            uow.emit(CaseClosed.of(case, view.unit_display_name, today))
        claim.remember(name)
        uow.commit()
        return view
