"""Commands of the rectification ledger (问题台账). A listing's filter fields (all but `tenant`,
`page_size` and `page_token`) are the key its page tokens are bound to (pagination.Page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.assessment.domain.rectification import Action, CaseState, ProblemDraft


@dataclass
class CreateCase:
    tenant: str
    unit_id: str
    title: str
    problems: tuple[ProblemDraft, ...]
    supervision_days: int = 0
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class GetCase:
    tenant: str
    case_id: str


@dataclass
class ListCases:
    tenant: str
    under_id: str | None = None
    state: CaseState | None = None
    overdue_only: bool = False
    page_size: int = 0
    page_token: str = ""


@dataclass
class MoveProblem:
    """UpdateProblem (a progress note), RequestClosure and VerifyAndClose: one problem moved by `action`."""

    tenant: str
    case_id: str
    number: int
    action: Action
    note: str = ""
    etag: str = ""
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class SweepCases:
    tenant: str
    today: dt.date | None = None  # the county's today unless given (tests, a catch-up run)


@dataclass
class AddProblem:
    tenant: str
    case_id: str
    problem: ProblemDraft
    note: str = ""
    etag: str = ""  # the case's
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class ReviseProblem:
    """Change the fields `changes` names: description, measures, deadline, owner (other paths are refused)."""

    tenant: str
    case_id: str
    number: int
    changes: dict = field(default_factory=dict)
    reason: str = ""
    etag: str = ""
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class RemoveProblem:
    tenant: str
    case_id: str
    number: int
    reason: str = ""
    etag: str = ""
    request_id: str = ""
    fingerprint: str = ""
