"""The results RPCs of AssessmentService: proto -> command -> use case -> proto, nothing else.

Unit names a request carries besides its rule's tenant field (ListResults' township and under)
are authorized first: another county's unit is PERMISSION_DENIED before any validation.
"""

from __future__ import annotations

from partybuilding.assessment.v1 import assessment_results_pb2 as rpb

from services.assessment.domain.names import RESULTS, ROUNDS, UNITS
from services.assessment.entrypoints import result_mapping as rm
from services.assessment.service_layer import result_commands as c
from services.assessment.service_layer import result_reads
from services.common.grpc.interceptor import current_principal
from services.common.policy import check_names_visible


def _unit_id(name: str, tenant: str, field_path: str) -> str:
    return UNITS.id_in(name, tenant, field_path) if name else ""


class ResultMethods:
    """Mixed into AssessmentServicer, which holds `self.uows`."""

    def GetResult(self, request, context):
        name = RESULTS.parse(request.name, "name")
        view = result_reads.get_result(c.GetResult(name.tenant, name.parent_id, name.id), self.uows,
                                       current_principal())
        return rm.result_to_proto(name.tenant, view.round.id, view.records[0], view.scheme)

    def ListResults(self, request, context):
        who = current_principal()
        check_names_visible(who, request.township, request.under, write=False)
        round_ = ROUNDS.parse(request.parent, "parent")
        cmd = c.ListResults(round_.tenant, round_.id, _unit_id(request.township, round_.tenant, "township"),
                            _unit_id(request.under, round_.tenant, "under"), request.grade, request.page_size,
                            request.page_token)
        view, token = result_reads.list_results(cmd, self.uows, who)
        names, full = rm.SchemeNames(view.scheme), request.view == rpb.ListResultsRequest.FULL
        return rpb.ListResultsResponse(
            results=[rm.result_to_proto(round_.tenant, view.round.id, r, names, indicators=full) for r in view.records],
            next_page_token=token)

    def ExportResults(self, request, context):
        who = current_principal()
        check_names_visible(who, request.township, request.under, write=False)
        round_ = ROUNDS.parse(request.parent, "parent")
        cmd = c.ExportResults(round_.tenant, round_.id, _unit_id(request.township, round_.tenant, "township"),
                              _unit_id(request.under, round_.tenant, "under"))
        export = result_reads.export_results(cmd, self.uows, who)
        return rpb.ExportResultsResponse(content=export.content, filename=export.filename)

    def PreviewResults(self, request, context):
        round_ = ROUNDS.parse(request.round, "round")
        overrides = request.weight_overrides
        cmd = c.PreviewResults(round_.tenant, round_.id, request.revision, dict(overrides.dimension_weights),
                               dict(overrides.source_weights), request.movers_only)
        view = result_reads.preview_results(cmd, self.uows, current_principal())
        return rm.preview_to_proto(round_.tenant, view)
