"""PointsService over gRPC: thin, proto -> command -> use case -> proto.

Each concern's RPCs are a mixin in its own module (rules, ledger, exchange); this class composes
them. Authentication and authorization already happened in the interceptor; errors raised below
are PlatformErrors that the interceptor turns into google.rpc.Status.
"""

from __future__ import annotations

from partybuilding.points.v1 import points_service_pb2 as pb
from partybuilding.points.v1 import points_service_pb2_grpc as pb_grpc

from services.common.grpc.interceptor import current_principal
from services.points.entrypoints import mapping
from services.points.entrypoints.exchange_servicer import ExchangeMethods
from services.points.entrypoints.ledger_servicer import LedgerMethods
from services.points.entrypoints.rules_servicer import RulesMethods
from services.points.service_layer import commands, directory
from services.points.service_layer.unit_of_work import PointsUnitOfWorkFactory

FULL_NAME = "partybuilding.points.v1.PointsService"


class PointsServicer(RulesMethods, LedgerMethods, ExchangeMethods, pb_grpc.PointsServiceServicer):
    def __init__(self, uows: PointsUnitOfWorkFactory):
        self.uows = uows

    def ResyncDirectory(self, request, context):
        cmd = commands.ResyncDirectory(mapping.tenant_code(request.parent, "parent"))
        counts = directory.resync(cmd, self.uows, current_principal())
        return pb.ResyncDirectoryResponse(units=counts.units, members=counts.members, posts=counts.posts,
                                          removed=counts.removed)
