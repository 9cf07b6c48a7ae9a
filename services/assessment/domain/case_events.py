"""The rectification ledger's events; each mirrors `<Name>Event` in assessment_events.proto
(section Rectification) field for field. A case or problem travels as its JSON form, built by
`case_format`, so a consumer (notify) reads it as GetCase answers it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.assessment.domain.case_format import case_document, owner_document, problem_document
from services.assessment.domain.names import case_name, problem_name, unit_name
from services.assessment.domain.rectification import Case, Problem
from services.common.clock import iso_date


@dataclass(frozen=True)
class CaseOpened:
    case: dict

    @classmethod
    def of(cls, case: Case, unit_display_name: str, today: dt.date) -> CaseOpened:
        return cls(case_document(case, unit_display_name, today))


@dataclass(frozen=True)
class ProblemOverdue:
    problem: str
    case: str
    unit: str
    description: str
    deadline: str
    days_overdue: int
    owner: dict

    @classmethod
    def of(cls, case: Case, problem: Problem, today: dt.date) -> ProblemOverdue:
        return cls(problem_name(case.tenant, case.id, problem.number), case_name(case.tenant, case.id),
                   unit_name(case.tenant, case.unit_id), problem.description, iso_date(problem.deadline),
                   problem.days_overdue(today), owner_document(case.tenant, problem.owner))


@dataclass(frozen=True)
class CaseSupervisionDue:
    case: str
    unit: str
    title: str
    supervision_date: str
    next_supervision_date: str
    open_problems: int
    overdue_problems: int

    @classmethod
    def of(cls, case: Case, due: dt.date, following: dt.date, today: dt.date) -> CaseSupervisionDue:
        return cls(case_name(case.tenant, case.id), unit_name(case.tenant, case.unit_id), case.title, iso_date(due),
                   iso_date(following), len(case.open_problems()), len(case.overdue_problems(today)))


@dataclass(frozen=True)
class _ProblemMoved:
    problem: dict
    case: str
    unit: str

    @classmethod
    def of(cls, case: Case, problem: Problem, today: dt.date):
        return cls(problem_document(case.tenant, case.id, problem, today), case_name(case.tenant, case.id),
                   unit_name(case.tenant, case.unit_id))


class ProblemClosureRequested(_ProblemMoved):
    """申请销号: the inspection is due (the work-station chief's turn)."""


class ProblemReopened(_ProblemMoved):
    """The inspection failed: back to the owner, the note says what is still wrong."""


class ProblemClosed(_ProblemMoved):
    """销号."""


@dataclass(frozen=True)
class CaseClosed:
    case: dict

    @classmethod
    def of(cls, case: Case, unit_display_name: str, today: dt.date) -> CaseClosed:
        return cls(case_document(case, unit_display_name, today))


class ProblemAdded(_ProblemMoved):
    """A problem added to an open case (the county's)."""


@dataclass(frozen=True)
class ProblemRevised:
    """A problem's deadline (延期), measures, owner or description changed; its newest note says how and why."""

    problem: dict
    case: str
    unit: str
    changed: list
    reason: str

    @classmethod
    def of(cls, case: Case, problem: Problem, today: dt.date, changed: list[str], reason: str) -> ProblemRevised:
        moved = _ProblemMoved.of(case, problem, today)
        return cls(moved.problem, moved.case, moved.unit, list(changed), reason)


@dataclass(frozen=True)
class ProblemRemoved:
    """A problem taken off the ledger before closure (撤销)."""

    problem: dict
    case: str
    unit: str
    reason: str

    @classmethod
    def of(cls, case: Case, problem: Problem, today: dt.date, reason: str) -> ProblemRemoved:
        moved = _ProblemMoved.of(case, problem, today)
        return cls(moved.problem, moved.case, moved.unit, reason)
