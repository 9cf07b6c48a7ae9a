"""The rounds' RPCs of AssessmentService: proto -> command -> use case -> proto, nothing else."""

from __future__ import annotations

from partybuilding.assessment.v1 import assessment_rounds_pb2 as pb

from services.assessment.entrypoints import round_mapping as m
from services.assessment.service_layer import objections, round_scores, round_trail, rounds
from services.assessment.service_layer import round_commands as c
from services.common.grpc.interceptor import current_principal
from services.common.grpc.messages import tenant_code
from services.common.grpc.request_ids import request_fingerprint


class RoundMethods:
    """Mixed into AssessmentServicer, which holds `self.uows`."""

    def CreateRound(self, request, context):
        code = tenant_code(request.parent, "parent")
        scheme_id, revision = m.revision_ref(request.scheme_revision, code, "scheme_revision")
        cmd = c.CreateRound(code, scheme_id, revision, request.display_name, request.period,
                            m.unit_ref(request.scope, code, "scope"), request.request_id, request_fingerprint(request))
        return m.round_to_proto(rounds.create_round(cmd, self.uows, current_principal()))

    def GetRound(self, request, context):
        tenant, round_id = m.round_ref(request.name)
        return m.round_to_proto(rounds.get_round(c.GetRound(tenant, round_id), self.uows, current_principal()))

    def ListRounds(self, request, context):
        code = tenant_code(request.parent, "parent")
        scheme_id = ""
        if request.scheme:
            scheme_tenant, scheme_id = m.scheme_ref(request.scheme, "scheme")
            m.same_tenant(code, scheme_tenant, "scheme")
        cmd = c.ListRounds(code, scheme_id, m.enum_filter(m.ROUND_STATES, request.state, "state"),
                           request.page_size, request.page_token)
        views, token = rounds.list_rounds(cmd, self.uows, current_principal())
        return pb.ListRoundsResponse(rounds=[m.round_to_proto(v) for v in views], next_page_token=token)

    def ListRoundTargets(self, request, context):
        tenant, round_id = m.round_ref(request.parent, "parent")
        cmd = c.ListRoundTargets(tenant, round_id, m.unit_ref(request.subtree, tenant, "subtree"),
                                 request.incomplete_only, request.page_size, request.page_token)
        views, token = rounds.list_round_targets(cmd, self.uows, current_principal())
        return pb.ListRoundTargetsResponse(targets=[m.target_to_proto(tenant, round_id, v) for v in views],
                                           next_page_token=token)

    def SubmitScores(self, request, context):
        tenant, round_id, target_id = m.target_ref(request.target)
        cmd = c.SubmitScores(tenant, round_id, target_id, request.source, m.values(request.values), request.note,
                             request.request_id, request_fingerprint(request))
        return m.target_to_proto(tenant, round_id, round_scores.submit_scores(cmd, self.uows, current_principal()))

    def RecordNegativeItem(self, request, context):
        tenant, round_id, target_id = m.target_ref(request.target)
        cmd = c.RecordNegativeItem(tenant, round_id, target_id, request.code, request.evidence, request.request_id,
                                   request_fingerprint(request))
        return m.negative_item_to_proto(*round_scores.record_negative_item(cmd, self.uows, current_principal()))

    def WithdrawNegativeItem(self, request, context):
        tenant, round_id, target_id = m.target_ref(request.target)
        cmd = c.WithdrawNegativeItem(tenant, round_id, target_id, request.code, request.reason)
        return m.negative_item_to_proto(*round_scores.withdraw_negative_item(cmd, self.uows, current_principal()))

    def AdvanceRound(self, request, context):
        tenant, round_id = m.round_ref(request.name)
        cmd = c.AdvanceRound(tenant, round_id, request.etag, request.request_id, request_fingerprint(request))
        return m.round_to_proto(rounds.advance_round(cmd, self.uows, current_principal()))

    def FileObjection(self, request, context):
        tenant, round_id, target_id = m.target_ref(request.target)
        cmd = c.FileObjection(tenant, round_id, target_id, request.reason, request.request_id,
                              request_fingerprint(request))
        return m.objection_to_proto(tenant, round_id, objections.file_objection(cmd, self.uows, current_principal()))

    def ResolveObjection(self, request, context):
        tenant, round_id, objection_id = m.objection_ref(request.name)
        adjustment = None
        if request.HasField("adjustment"):
            adjustment = c.Adjustment(request.adjustment.source, m.values(request.adjustment.values))
        cmd = c.ResolveObjection(tenant, round_id, objection_id,
                                 m.enum_filter(m.OBJECTION_STATES, request.decision, "decision"), request.note,
                                 adjustment, request.etag)
        return m.objection_to_proto(tenant, round_id, objections.resolve_objection(cmd, self.uows, current_principal()))

    def ListObjections(self, request, context):
        tenant, round_id = m.round_ref(request.parent, "parent")
        cmd = c.ListObjections(tenant, round_id, m.enum_filter(m.OBJECTION_STATES, request.state, "state"),
                               request.page_size, request.page_token)
        found, token = objections.list_objections(cmd, self.uows, current_principal())
        return pb.ListObjectionsResponse(objections=[m.objection_to_proto(tenant, round_id, o) for o in found],
                                         next_page_token=token)

    def ListRoundEvents(self, request, context):
        tenant, round_id = m.round_ref(request.parent, "parent")
        target_id = m.target_of_round(request.target, tenant, round_id, "target")
        cmd = c.ListRoundEvents(tenant, round_id, target_id, request.page_size, request.page_token)
        found, token = round_trail.list_round_events(cmd, self.uows, current_principal())
        return pb.ListRoundEventsResponse(events=[m.event_to_proto(tenant, round_id, e) for e in found],
                                          next_page_token=token)
