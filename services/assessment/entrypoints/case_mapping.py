"""Proto <-> domain for the rectification ledger (assessment_cases.proto). A case goes out as its
JSON form (domain/case_format.py, the one the events carry too) parsed into the message."""

from __future__ import annotations

from google.protobuf import json_format
from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

from services.assessment.domain.case_format import case_document, problem_document
from services.assessment.domain.names import MEMBERS, UNITS
from services.assessment.domain.rectification import CaseState, Owner, ProblemDraft
from services.assessment.service_layer.cases import CaseView, ProblemView
from services.common.auth import Principal
from services.common.clock import parse_date
from services.common.errors import InvalidArgument
from services.common.tenancy import Collection


def case_to_proto(view: CaseView) -> cpb.Case:
    document = case_document(view.case, view.unit_display_name, view.today, notes=view.notes)
    return json_format.ParseDict(document, cpb.Case())


def problem_to_proto(view: ProblemView) -> cpb.Problem:
    return json_format.ParseDict(problem_document(view.case.tenant, view.case.id, view.problem, view.today),
                                 cpb.Problem())


def drafts_from_proto(message: cpb.Case, tenant: str) -> tuple[ProblemDraft, ...]:
    """The problems of a CreateCase; a malformed or empty deadline becomes None for the checks to name."""
    drafts = []
    for i, p in enumerate(message.problems):
        path = f"case.problems[{i}].owner.member"
        member_id = id_in(MEMBERS, p.owner.member, tenant, path) if p.owner.member else ""
        drafts.append(ProblemDraft(p.description, tuple(p.measures), parse_date(p.deadline),
                                   Owner(p.owner.display_name, member_id, p.owner.subject)))
    return tuple(drafts)


def state_from_proto(number: int) -> CaseState | None:
    # The interceptor refuses numbers the proto does not define (bounds.py).
    return CaseState[cpb.Case.State.Name(number)] if number else None


def id_in(collection: Collection, name: str, tenant: str, field_path: str) -> str:
    """The id of a resource named in a request, which must be of the request's own county."""
    parsed = collection.parse(name, field_path)
    # Only a caller of several counties gets here (check_names_visible stopped the others).
    if parsed.tenant != tenant:
        raise InvalidArgument.field(field_path, "必须属于同一个县", "must belong to the same county as the request",
                                    "CROSS_TENANT_REFERENCE")
    return parsed.id


def unit_id_in(name: str, tenant: str, field_path: str) -> str:
    return id_in(UNITS, name, tenant, field_path)


def check_names_visible(who: Principal, *names: str, write: bool) -> None:
    """Names a request carries besides its policy's tenant field are of counties the caller may
    act in: another county's unit or member is PERMISSION_DENIED, before validation."""
    for name in names:
        if name:
            who.check_name(name, write)
