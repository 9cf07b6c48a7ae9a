"""Use cases of the rectification ledger (问题台账): open a case (by hand, or from a round's weak
result through `open_case`), read and list cases, and move a problem towards 销号."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from services.assessment.domain import rectification as r
from services.assessment.domain.case_events import (
    CaseClosed,
    CaseOpened,
    ProblemClosed,
    ProblemClosureRequested,
    ProblemReopened,
)
from services.assessment.domain.names import case_name, problem_name
from services.assessment.service_layer import case_access as access
from services.assessment.service_layer import case_commands as c
from services.assessment.service_layer import scope
from services.assessment.service_layer.unit_of_work import (
    AssessmentUnitOfWork,
    AssessmentUnitOfWorkFactory,
)
from services.common.auth import Principal
from services.common.clock import utcnow
from services.common.errors import Validator, stale_etag
from services.common.ids import new_id
from services.common.pagination import Page
from services.common.tenancy import check_etag

# The RPC each move is, for its request ids.
_METHODS = {r.Action.PROGRESS: "UpdateProblem", r.Action.REQUEST_CLOSURE: "RequestClosure",
            r.Action.VERIFY_PASSED: "VerifyAndClose", r.Action.VERIFY_FAILED: "VerifyAndClose"}
_EVENTS = {r.Action.REQUEST_CLOSURE: ProblemClosureRequested, r.Action.VERIFY_FAILED: ProblemReopened,
           r.Action.VERIFY_PASSED: ProblemClosed}


@dataclass(frozen=True)
class CaseView:
    """A case as answered: its unit's name now, and the county's today (what `overdue` means)."""

    case: r.Case
    unit_display_name: str
    today: dt.date
    notes: bool = True


@dataclass(frozen=True)
class ProblemView:
    case: r.Case
    problem: r.Problem
    today: dt.date


@dataclass(frozen=True)
class CaseOpening:
    """One case to open: its unit as the directory knows it and problems whose owners are resolved."""

    unit_id: str
    unit_display_name: str
    title: str
    problems: Sequence[r.ProblemDraft]
    source_round: str = ""  # tenants/{t}/rounds/{id} of the round that opens it, "" by hand
    supervision_days: int = 0


def open_case(uow: AssessmentUnitOfWork, unit_id: str, *, source_round: str, title: str,
              problems: Sequence[r.ProblemDraft], now: dt.datetime, who: Principal,
              supervision_days: int = 0) -> r.Case:
    """Open a case in the caller's transaction (CreateCase): the unit and the owners' members
    checked, then `open_cases`; the caller commits.

    `source_round` is the round's name (tenants/{t}/rounds/{id}) or "". INVALID_ARGUMENT names the
    field under `case.` (case.unit, case.problems[i].deadline, ...)."""
    unit = access.referenced_unit(uow, unit_id, "case.unit")
    drafts = with_owners(uow, problems)
    [case] = open_cases(uow, [CaseOpening(unit.id, unit.display_name, title, drafts, source_round, supervision_days)],
                        now=now, who=who)
    return case


def open_cases(uow: AssessmentUnitOfWork, openings: Sequence[CaseOpening], *, now: dt.datetime,
               who: Principal) -> list[r.Case]:
    """Open many cases at once (a round's finalize, one per weak unit): each checked by the same
    rules as one (`check_case`), one insert per table, one `case_opened` each; the caller commits."""
    today = access.county_today(uow)
    cases: list[r.Case] = []
    for opening in openings:
        title, drafts, days = r.check_case(opening.title, opening.problems, opening.supervision_days, today)
        cases.append(r.new_case(uow.tenant, new_id("c"), opening.unit_id, title, opening.source_round, drafts, days,
                                now, today, who.subject))
    uow.cases.add_all(cases)
    for case, opening in zip(cases, openings, strict=True):
        uow.emit(CaseOpened.of(case, opening.unit_display_name, today))
    return cases


def with_owners(uow: AssessmentUnitOfWork, problems: Sequence[r.ProblemDraft],
                path: Callable[[int], str] = lambda i: f"case.problems[{i}]") -> list[r.ProblemDraft]:
    """Owners named by member: the member must be known, and lends their name when none is written."""
    v, out = Validator(), []
    for i, draft in enumerate(problems):
        owner = draft.owner
        if owner.member_id:
            member = uow.directory.member(owner.member_id)
            if v.require(member is not None, f"{path(i)}.owner.member", "党员不存在",
                         "must be a member of this county known to the organization") and not owner.display_name:
                owner = replace(owner, display_name=member.display_name)
        out.append(replace(draft, owner=owner))
    v.raise_if_any()
    return out


def create_case(cmd: c.CreateCase, uows: AssessmentUnitOfWorkFactory, who: Principal) -> CaseView:
    with uows(cmd.tenant) as uow:
        claim = uow.idempotency.claim("CreateCase", cmd)
        if claim.done is not None:
            return _view(uow, access.load_case(uow, claim.done))
        case = open_case(uow, cmd.unit_id, source_round="", title=cmd.title, problems=cmd.problems, now=utcnow(),
                         who=who, supervision_days=cmd.supervision_days)
        claim.remember(case_name(uow.tenant, case.id))
        view = _view(uow, case)
        uow.commit()
        return view


def get_case(cmd: c.GetCase, uows: AssessmentUnitOfWorkFactory, who: Principal) -> CaseView:
    with uows(cmd.tenant, write=False) as uow:
        case = access.load_case(uow, cmd.case_id)
        unit = access.case_unit(uow, who, case)
        return CaseView(case, unit.display_name if unit else "", access.county_today(uow))


def list_cases(cmd: c.ListCases, uows: AssessmentUnitOfWorkFactory, who: Principal) -> tuple[list[CaseView], str]:
    """Newest first; a clerk lists their own subtree (and asks for nothing outside it)."""
    page = Page.open(cmd, uows.page_tokens, shape=(str,))
    with uows(cmd.tenant, write=False) as uow:
        root = scope.clerk_root(uow, who)
        under = root.id if root is not None and not cmd.under_id else cmd.under_id
        if cmd.under_id:
            scope.check_unit_within(uow, who, access.referenced_unit(uow, cmd.under_id, "under", active=False))
        within = uow.directory.in_subtree(uow.cases.unit_column(), under) if under else None
        today = access.county_today(uow)
        found = uow.cases.page(within=within, state=cmd.state, overdue_on=today if cmd.overdue_only else None,
                               before=page.after_one(), limit=page.fetch)
        cases, token = page.cut(found, lambda case: [case.id])
        names = {}
        for case in cases:
            if case.unit_id not in names:
                unit = uow.directory.unit(case.unit_id)
                names[case.unit_id] = unit.display_name if unit else ""
        return [CaseView(case, names[case.unit_id], today, notes=False) for case in cases], token


def move_problem(cmd: c.MoveProblem, uows: AssessmentUnitOfWorkFactory, who: Principal) -> ProblemView:
    """UpdateProblem, RequestClosure and VerifyAndClose: one problem moved by TRANSITIONS, noted,
    evented; a retry of the request id answers the problem as it is now."""
    with uows(cmd.tenant) as uow:
        claim = uow.idempotency.claim(_METHODS[cmd.action], cmd)
        case = access.load_case(uow, cmd.case_id, lock=claim.done is None)
        problem = access.load_problem(case, cmd.number)
        unit = access.case_unit(uow, who, case)
        today = access.county_today(uow)
        if claim.done is not None:
            return ProblemView(case, problem, today)
        name = problem_name(uow.tenant, case.id, problem.number)
        if cmd.action in (r.Action.VERIFY_PASSED, r.Action.VERIFY_FAILED):
            access.check_station_chief(uow, who, unit, name)
            r.check_verifier(problem, who.subject, name, access.owner_subjects(uow.tenant, problem))
        check_etag(cmd.etag, problem.version, name)
        read_version = case.version
        case_closed = r.apply(case, problem, cmd.action, cmd.note, who.subject, utcnow(), name)
        if not uow.cases.save_move(case, problem, read_version):
            raise stale_etag(case_name(uow.tenant, case.id))
        if cmd.action in _EVENTS:
            uow.emit(_EVENTS[cmd.action].of(case, problem, today))
        if case_closed:
            uow.emit(CaseClosed.of(case, unit.display_name if unit else "", today))
        claim.remember(name)
        uow.commit()
        return ProblemView(case, problem, today)


def _view(uow: AssessmentUnitOfWork, case: r.Case) -> CaseView:
    unit = uow.directory.unit(case.unit_id)
    return CaseView(case, unit.display_name if unit else "", access.county_today(uow))

