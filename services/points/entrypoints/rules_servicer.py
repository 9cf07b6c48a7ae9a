"""The rule-set RPCs of PointsService: proto -> command -> use case -> proto, nothing else."""

from __future__ import annotations

from partybuilding.points.v1 import points_service_pb2 as pb

from services.common.fieldmask import changes_from_mask
from services.common.grpc.interceptor import current_principal
from services.points.domain.names import REVISIONS, RULE_SETS
from services.points.entrypoints import mapping
from services.points.service_layer import commands, rule_sets


def _answer(view: rule_sets.RuleSetView) -> pb.RuleSet:
    return mapping.rule_set_to_proto(view.rule_set, view.revision)


class RulesMethods:
    """Mixed into PointsServicer, which holds `self.uows`."""

    def CreateRuleSet(self, request, context):
        code = mapping.tenant_code(request.parent, "parent")
        r = request.rule_set
        cmd = commands.CreateRuleSet(code, request.rule_set_id, r.display_name, r.description,
                                     mapping.content_from_proto(r), request.template, request.validate_only,
                                     request.request_id, mapping.request_fingerprint(request))
        return _answer(rule_sets.create_rule_set(cmd, self.uows, current_principal()))

    def GetRuleSet(self, request, context):
        name = RULE_SETS.parse(request.name, "name")
        return _answer(rule_sets.get_rule_set(commands.GetRuleSet(name.tenant, name.id), self.uows,
                                              current_principal()))

    def ListRuleSets(self, request, context):
        cmd = commands.ListRuleSets(mapping.tenant_code(request.parent, "parent"), request.page_size,
                                    request.page_token)
        found, token = rule_sets.list_rule_sets(cmd, self.uows, current_principal())
        return pb.ListRuleSetsResponse(rule_sets=[_answer(view) for view in found], next_page_token=token)

    def UpdateRuleSet(self, request, context):
        name = RULE_SETS.parse(request.rule_set.name, "rule_set.name")
        changes = mapping.content_changes(request.rule_set,
                                          changes_from_mask(request.rule_set, request.update_mask.paths))
        # The etag may come on the request (AIP-134) or on the resource as read (AIP-154).
        etag = request.etag or request.rule_set.etag
        cmd = commands.UpdateRuleSet(name.tenant, name.id, changes, etag, request.validate_only)
        return _answer(rule_sets.update_rule_set(cmd, self.uows, current_principal()))

    def PublishRuleSet(self, request, context):
        name = RULE_SETS.parse(request.name, "name")
        cmd = commands.PublishRuleSet(name.tenant, name.id, request.effective_from, request.etag)
        return _answer(rule_sets.publish_rule_set(cmd, self.uows, current_principal()))

    def ListRuleSetRevisions(self, request, context):
        name = RULE_SETS.parse(request.parent, "parent")
        cmd = commands.ListRuleSetRevisions(name.tenant, name.id, request.page_size, request.page_token)
        found, token = rule_sets.list_rule_set_revisions(cmd, self.uows, current_principal())
        return pb.ListRuleSetRevisionsResponse(revisions=[_answer(view) for view in found], next_page_token=token)

    def GetRuleSetRevision(self, request, context):
        name = REVISIONS.parse(request.name, "name")
        cmd = commands.GetRuleSetRevision(name.tenant, name.parent_id, name.id)
        return _answer(rule_sets.get_rule_set_revision(cmd, self.uows, current_principal()))

    def ListRuleSetTemplates(self, request, context):
        return pb.ListRuleSetTemplatesResponse(
            templates=[mapping.template_to_proto(t) for t in rule_sets.list_rule_set_templates()])
