"""Proto <-> domain for the rectification ledger (assessment_cases.proto). A case goes out as its
JSON form (domain/case_format.py, the one the events carry too) parsed into the message."""

from __future__ import annotations

from google.protobuf import json_format
from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

from services.assessment.domain.case_format import case_document, problem_document
from services.assessment.domain.names import MEMBERS
from services.assessment.domain.rectification import CaseState, Owner, ProblemDraft
from services.assessment.service_layer.cases import CaseView, ProblemView
from services.common.clock import parse_date
from services.common.fieldmask import MaskChanges, changes_from_mask


def case_to_proto(view: CaseView) -> cpb.Case:
    document = case_document(view.case, view.unit_display_name, view.today, notes=view.notes)
    return json_format.ParseDict(document, cpb.Case())


def problem_to_proto(view: ProblemView) -> cpb.Problem:
    return json_format.ParseDict(problem_document(view.case.tenant, view.case.id, view.problem, view.today),
                                 cpb.Problem())


def owner_from_proto(owner: cpb.Owner, tenant: str, path: str) -> Owner:
    member_id = MEMBERS.id_in(owner.member, tenant, f"{path}.member") if owner.member else ""
    return Owner(owner.display_name, member_id, owner.subject)


def draft_from_proto(p: cpb.Problem, tenant: str, path: str) -> ProblemDraft:
    """A problem as a request gives it; a malformed or empty deadline becomes None for the checks to name."""
    return ProblemDraft(p.description, tuple(p.measures), parse_date(p.deadline),
                        owner_from_proto(p.owner, tenant, f"{path}.owner"))


def drafts_from_proto(message: cpb.Case, tenant: str) -> tuple[ProblemDraft, ...]:
    """The problems of a CreateCase."""
    return tuple(draft_from_proto(p, tenant, f"case.problems[{i}]") for i, p in enumerate(message.problems))


def revision_from_proto(p: cpb.Problem, paths, tenant: str) -> MaskChanges:
    """A ReviseProblem's {field: new value} by its update_mask (unknown paths kept for the use case to refuse)."""
    return changes_from_mask(p, paths, {"deadline": parse_date, "measures": tuple,
                                        "owner": lambda owner: owner_from_proto(owner, tenant, "problem.owner")})


def state_from_proto(number: int) -> CaseState | None:
    # The interceptor refuses numbers the proto does not define (bounds.py).
    return CaseState[cpb.Case.State.Name(number)] if number else None
