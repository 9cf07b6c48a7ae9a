"""AssessmentService over gRPC: thin, proto -> command -> use case -> proto.

Each concern's RPCs are a mixin in its own module (schemes, rounds, results, cases); this class
composes them. Authentication and authorization already happened in the interceptor; errors
raised below are PlatformErrors that the interceptor turns into google.rpc.Status.
"""

from __future__ import annotations

from partybuilding.assessment.v1 import assessment_service_pb2 as pb
from partybuilding.assessment.v1 import assessment_service_pb2_grpc as pb_grpc

from services.assessment.entrypoints.cases_servicer import CaseMethods
from services.assessment.entrypoints.rounds_servicer import RoundMethods
from services.assessment.entrypoints.scheme_servicer import SchemeMethods
from services.assessment.service_layer import commands, directory
from services.assessment.service_layer.unit_of_work import AssessmentUnitOfWorkFactory
from services.common.grpc import messages
from services.common.grpc.interceptor import current_principal

FULL_NAME = "partybuilding.assessment.v1.AssessmentService"


class AssessmentServicer(SchemeMethods, RoundMethods, CaseMethods, pb_grpc.AssessmentServiceServicer):
    def __init__(self, uows: AssessmentUnitOfWorkFactory):
        self.uows = uows

    def ResyncDirectory(self, request, context):
        cmd = commands.ResyncDirectory(messages.tenant_code(request.parent, "parent"))
        counts = directory.resync(cmd, self.uows, current_principal())
        return pb.ResyncDirectoryResponse(units=counts.units, members=counts.members, posts=counts.posts,
                                          removed=counts.removed)
