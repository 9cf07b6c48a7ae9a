"""PlatformError -> google.rpc.Status with ErrorInfo, BadRequest and a zh-CN LocalizedMessage."""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from services.common.errors import InvalidArgument, PlatformError

DOMAIN = "partybuilding.gov"


def to_status(error: PlatformError) -> grpc.Status:
    details = []
    info = error_details_pb2.ErrorInfo(reason=error.reason, domain=DOMAIN, metadata=error.metadata)
    details.append(info)
    if isinstance(error, InvalidArgument) and error.violations:
        details.append(error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=v.field, description=f"{v.en} / {v.zh}")
            for v in error.violations
        ]))
    details.append(error_details_pb2.LocalizedMessage(locale="zh-CN", message=error.zh))
    packed = []
    for d in details:
        a = any_pb2.Any()
        a.Pack(d)
        packed.append(a)
    status = status_pb2.Status(code=getattr(code_pb2, error.code), message=str(error), details=packed)
    return rpc_status.to_status(status)


def internal_status(request_id: str) -> grpc.Status:
    """An unexpected failure: no stack trace leaves the server, only an id to find it in the log."""
    status = status_pb2.Status(
        code=code_pb2.INTERNAL,
        message=f"internal error, logged as {request_id} / 服务器内部错误（日志编号 {request_id}）",
    )
    a = any_pb2.Any()
    a.Pack(error_details_pb2.ErrorInfo(reason="INTERNAL", domain=DOMAIN, metadata={"request_id": request_id}))
    status.details.append(a)
    return rpc_status.to_status(status)
