"""The rectification ledger's RPCs (问题台账), mixed into AssessmentServicer.

Thin: proto -> command -> use case -> proto. Names a request carries besides the one its policy
rule checks (the case's unit, an owner's member, a listing's `under`) are authorized first here.
"""

from __future__ import annotations

from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

from services.assessment.domain.names import CASES, PROBLEMS, UNITS
from services.assessment.domain.rectification import Action
from services.assessment.entrypoints import case_mapping as cm
from services.assessment.service_layer import case_commands as c
from services.assessment.service_layer import case_edits, cases
from services.common.errors import InvalidArgument
from services.common.grpc.interceptor import current_principal
from services.common.grpc.messages import tenant_code
from services.common.grpc.request_ids import request_fingerprint
from services.common.policy import check_names_visible


def _problem(name: str) -> tuple[str, str, int]:
    """(tenant, case id, problem number) of tenants/{t}/cases/{id}/problems/{n}; n as the case
    numbers it (full-width digits fold, as in every name; "01" is not problem 1's name)."""
    parsed = PROBLEMS.parse(name, "name")
    number = parsed.id
    if not (number.isascii() and number.isdigit() and number == str(int(number)) and int(number) >= 1):
        raise InvalidArgument.field("name", f"问题编号应为正整数，收到 {number!r}",
                                    f"the problem number must be a positive whole number, got {number!r}",
                                    "MALFORMED_RESOURCE_NAME")
    return parsed.tenant, parsed.parent_id, int(number)


class CaseMethods:
    """Rectification RPCs of AssessmentService; `self.uows` is the servicer's unit-of-work factory."""

    def CreateCase(self, request, context):
        who = current_principal()
        m = request.case
        check_names_visible(who, m.unit, *(p.owner.member for p in m.problems), write=True)
        code = tenant_code(request.parent, "parent")
        unit_id = UNITS.id_in(m.unit, code, "case.unit") if m.unit else ""
        cmd = c.CreateCase(code, unit_id, m.title, cm.drafts_from_proto(m, code), m.supervision_days,
                           request.request_id, request_fingerprint(request))
        return cm.case_to_proto(cases.create_case(cmd, self.uows, who))

    def GetCase(self, request, context):
        case = CASES.parse(request.name, "name")
        return cm.case_to_proto(cases.get_case(c.GetCase(case.tenant, case.id), self.uows, current_principal()))

    def ListCases(self, request, context):
        who = current_principal()
        check_names_visible(who, request.under, write=False)
        code = tenant_code(request.parent, "parent")
        cmd = c.ListCases(code, UNITS.id_in(request.under, code, "under") if request.under else None,
                          cm.state_from_proto(request.state), request.overdue_only, request.page_size,
                          request.page_token)
        found, token = cases.list_cases(cmd, self.uows, who)
        return cpb.ListCasesResponse(cases=[cm.case_to_proto(view) for view in found], next_page_token=token)

    def UpdateProblem(self, request, context):
        return self._move(request, Action.PROGRESS, request.progress_note)

    def RequestClosure(self, request, context):
        return self._move(request, Action.REQUEST_CLOSURE, request.note)

    def VerifyAndClose(self, request, context):
        return self._move(request, Action.VERIFY_PASSED if request.passed else Action.VERIFY_FAILED, request.note)

    def AddProblem(self, request, context):
        who = current_principal()
        check_names_visible(who, request.problem.owner.member, write=True)
        case = CASES.parse(request.parent, "parent")
        cmd = c.AddProblem(case.tenant, case.id, cm.draft_from_proto(request.problem, case.tenant, "problem"),
                           request.note, request.etag, request.request_id, request_fingerprint(request))
        return cm.case_to_proto(case_edits.add_problem(cmd, self.uows, who))

    def ReviseProblem(self, request, context):
        who = current_principal()
        check_names_visible(who, request.problem.owner.member, write=True)
        tenant, case_id, number = _problem(request.name)
        cmd = c.ReviseProblem(tenant, case_id, number,
                              cm.revision_from_proto(request.problem, request.update_mask.paths, tenant),
                              request.reason, request.etag, request.request_id, request_fingerprint(request))
        return cm.problem_to_proto(case_edits.revise_problem(cmd, self.uows, who))

    def RemoveProblem(self, request, context):
        tenant, case_id, number = _problem(request.name)
        cmd = c.RemoveProblem(tenant, case_id, number, request.reason, request.etag, request.request_id,
                              request_fingerprint(request))
        return cm.case_to_proto(case_edits.remove_problem(cmd, self.uows, current_principal()))

    def _move(self, request, action: Action, note: str):
        tenant, case_id, number = _problem(request.name)
        cmd = c.MoveProblem(tenant, case_id, number, action, note, request.etag, request.request_id,
                            request_fingerprint(request))
        return cm.problem_to_proto(cases.move_problem(cmd, self.uows, current_principal()))
