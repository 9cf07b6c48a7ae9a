"""A case as its message's JSON form (assessment_cases.proto, proto field names): what GetCase
answers and what the case events carry, written once. The servicer parses it into the message."""

from __future__ import annotations

import datetime as dt

from services.assessment.domain.names import case_name, member_name, problem_name, unit_name
from services.assessment.domain.rectification import Case, Owner, Problem
from services.common.clock import iso_date
from services.common.tenancy import etag_of


def timestamp(value: dt.datetime | None) -> str | None:
    """RFC 3339 in UTC, as the JSON form of google.protobuf.Timestamp; None for no time."""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value is not None else None


def _present(document: dict) -> dict:
    return {key: value for key, value in document.items() if value not in (None, "", [], 0, False)}


def owner_document(tenant: str, owner: Owner) -> dict:
    return _present({"display_name": owner.display_name,
                     "member": member_name(tenant, owner.member_id) if owner.member_id else "",
                     "subject": owner.subject})


def problem_document(tenant: str, case_id: str, problem: Problem, today: dt.date, *, notes: bool = True) -> dict:
    """One problem; `notes=False` leaves out its history (listings)."""
    return _present({
        "name": problem_name(tenant, case_id, problem.number),
        "description": problem.description,
        "measures": list(problem.measures),
        "deadline": iso_date(problem.deadline),
        "owner": owner_document(tenant, problem.owner),
        "state": problem.state.value,
        "overdue": problem.is_overdue(today),
        "notes": [_present({"kind": n.kind.value, "text": n.text, "author": n.by, "create_time": timestamp(n.at)})
                  for n in problem.notes] if notes else [],
        "closure_requested_by": problem.closure_requested_by,
        "closed_by": problem.closed_by,
        "close_time": timestamp(problem.closed_at),
        "etag": etag_of(problem.version),
    })


def case_document(case: Case, unit_display_name: str, today: dt.date, *, notes: bool = True) -> dict:
    return _present({
        "name": case_name(case.tenant, case.id),
        "unit": unit_name(case.tenant, case.unit_id),
        "unit_display_name": unit_display_name,
        "title": case.title,
        "source_round": case.source_round,
        "state": case.state.value,
        "problems": [problem_document(case.tenant, case.id, p, today, notes=notes) for p in case.problems],
        "supervision_days": case.supervision_days,
        "next_supervision_date": iso_date(case.next_supervision_on),
        "open_problems": len(case.open_problems()),
        "overdue_problems": len(case.overdue_problems(today)),
        "create_time": timestamp(case.opened_at),
        "created_by": case.opened_by,
        "close_time": timestamp(case.closed_at),
        "etag": etag_of(case.version),
    })
