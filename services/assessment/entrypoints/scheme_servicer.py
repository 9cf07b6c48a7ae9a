"""The scheme RPCs of AssessmentService: proto -> command -> use case -> proto, nothing else."""

from __future__ import annotations

from partybuilding.assessment.v1 import assessment_schemes_pb2 as pb

from services.assessment.domain.names import REVISIONS, SCHEMES
from services.assessment.entrypoints import mapping
from services.assessment.service_layer import commands, schemes
from services.common.fieldmask import changes_from_mask
from services.common.grpc import messages
from services.common.grpc.interceptor import current_principal
from services.common.grpc.request_ids import request_fingerprint


class SchemeMethods:
    """Mixed into AssessmentServicer, which holds `self.uows`."""

    def CreateScheme(self, request, context):
        cmd = commands.CreateScheme(messages.tenant_code(request.parent, "parent"), request.scheme_id,
                                    mapping.scheme_from_proto(request.scheme), request.template,
                                    request.validate_only, request.request_id, request_fingerprint(request))
        return mapping.scheme_to_proto(schemes.create_scheme(cmd, self.uows, current_principal()))

    def GetScheme(self, request, context):
        name = SCHEMES.parse(request.name, "name")
        cmd = commands.GetScheme(name.tenant, name.id)
        return mapping.scheme_to_proto(schemes.get_scheme(cmd, self.uows, current_principal()))

    def ListSchemes(self, request, context):
        cmd = commands.ListSchemes(messages.tenant_code(request.parent, "parent"), request.page_size,
                                   request.page_token)
        found, token = schemes.list_schemes(cmd, self.uows, current_principal())
        return pb.ListSchemesResponse(schemes=[mapping.scheme_to_proto(v) for v in found], next_page_token=token)

    def UpdateScheme(self, request, context):
        name = SCHEMES.parse(request.scheme.name, "scheme.name")
        changes = changes_from_mask(request.scheme, request.update_mask.paths, mapping.CHANGES)
        # The etag may come on the request (AIP-134) or on the resource as read (AIP-154).
        cmd = commands.UpdateScheme(name.tenant, name.id, changes, request.etag or request.scheme.etag,
                                    request.validate_only)
        return mapping.scheme_to_proto(schemes.update_scheme(cmd, self.uows, current_principal()))

    def PublishScheme(self, request, context):
        name = SCHEMES.parse(request.name, "name")
        cmd = commands.PublishScheme(name.tenant, name.id, request.effective_from, request.etag)
        return mapping.scheme_to_proto(schemes.publish_scheme(cmd, self.uows, current_principal()))

    def ListSchemeRevisions(self, request, context):
        name = SCHEMES.parse(request.parent, "parent")
        cmd = commands.ListSchemeRevisions(name.tenant, name.id, request.page_size, request.page_token)
        found, token = schemes.list_scheme_revisions(cmd, self.uows, current_principal())
        return pb.ListSchemeRevisionsResponse(revisions=[mapping.scheme_to_proto(v) for v in found],
                                              next_page_token=token)

    def GetSchemeRevision(self, request, context):
        name = REVISIONS.parse(request.name, "name")
        cmd = commands.GetSchemeRevision(name.tenant, name.parent_id, name.id)
        return mapping.scheme_to_proto(schemes.get_scheme_revision(cmd, self.uows, current_principal()))

    def ListSchemeTemplates(self, request, context):
        return pb.ListSchemeTemplatesResponse(
            templates=[mapping.template_to_proto(t) for t in schemes.list_scheme_templates()])
