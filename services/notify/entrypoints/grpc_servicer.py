"""NotifyService over gRPC: thin, proto -> command -> use case -> proto.

Authentication and authorization already happened in the interceptor; errors raised below are
PlatformErrors that the interceptor turns into google.rpc.Status.
"""

from __future__ import annotations

from partybuilding.notify.v1 import notify_service_pb2 as pb
from partybuilding.notify.v1 import notify_service_pb2_grpc as pb_grpc

from services.common.grpc.interceptor import current_principal
from services.common.tenancy import parse_name
from services.notify.service_layer import commands, directory
from services.notify.service_layer.unit_of_work import NotifyUnitOfWorkFactory

FULL_NAME = "partybuilding.notify.v1.NotifyService"


class NotifyServicer(pb_grpc.NotifyServiceServicer):
    def __init__(self, uows: NotifyUnitOfWorkFactory):
        self.uows = uows

    def ResyncDirectory(self, request, context):
        cmd = commands.ResyncDirectory(parse_name(request.parent, "parent", None).tenant)
        counts = directory.resync(cmd, self.uows, current_principal())
        return pb.ResyncDirectoryResponse(units=counts.units, members=counts.members, posts=counts.posts,
                                          removed=counts.removed)
