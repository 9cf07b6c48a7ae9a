"""The county sheet over gRPC: ImportOrganization (client streaming, a long-running operation),
ExportOrganization (server streaming) and GetOperation. Mixed into OrganizationServicer.

Bounds (docs/import-format.md): chunks of at most 1 MiB, a file of at most 32 MiB, at most
`MAX_DATA_ROWS` data rows.
"""

from __future__ import annotations

from collections.abc import Iterator

from google.longrunning import operations_pb2
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from partybuilding.organization.v1 import organization_service_pb2 as pb

from services.common.errors import InvalidArgument
from services.common.grpc.interceptor import current_principal
from services.common.grpc.status import DOMAIN
from services.common.uow import fingerprint
from services.organization.adapters.spreadsheet import SheetError, parse_sheet, sheet_bytes
from services.organization.domain.names import OPERATIONS, operation_name
from services.organization.domain.operations import Operation
from services.organization.domain.sheet import MEMBER, UNIT
from services.organization.entrypoints import mapping
from services.organization.service_layer import bulk_import, commands, operations

MAX_CHUNK_BYTES = 1 << 20
MAX_FILE_BYTES = 32 << 20
_KINDS = {pb.CSV: ".csv", pb.XLSX: ".xlsx"}


def _kind(sheet_format: int) -> str:
    if sheet_format not in _KINDS:
        raise InvalidArgument.field("format", "请指定文件格式 CSV 或 XLSX", "must be CSV or XLSX")
    return _KINDS[sheet_format]


def _receive(requests: Iterator[pb.ImportOrganizationRequest]) -> tuple[pb.ImportOrganizationRequest, bytes]:
    """The first message (parent, format, options) and the whole file, within the bounds."""
    first, chunks, size = None, [], 0
    for request in requests:
        if first is None:
            first = request
        elif request.parent and request.parent != first.parent:
            raise InvalidArgument.field("parent", "同一次导入的各段须属于同一个县", "every chunk of one import names the same parent")
        if len(request.chunk) > MAX_CHUNK_BYTES:
            raise InvalidArgument.field("chunk", "每段不能超过1 MiB", "must be at most 1 MiB per message", "CHUNK_TOO_LARGE")
        size += len(request.chunk)
        if size > MAX_FILE_BYTES:
            raise InvalidArgument.field("chunk", "文件不能超过32 MiB", "the file must be at most 32 MiB", "FILE_TOO_LARGE")
        chunks.append(request.chunk)
    if first is None:
        raise InvalidArgument.field("chunk", "没有收到文件", "no file was sent")
    return first, b"".join(chunks)


def _any(message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def operation_to_proto(op: Operation, rows_done: int) -> operations_pb2.Operation:
    out = operations_pb2.Operation(name=operation_name(op.tenant, op.id), done=op.done)
    out.metadata.CopyFrom(_any(pb.ImportOrganizationMetadata(rows_done=rows_done, rows_total=op.rows_total,
                                                              validate_only=op.validate_only)))
    if op.error is not None:
        e = op.error
        out.error.CopyFrom(status_pb2.Status(code=getattr(code_pb2, e["code"]), message=f"{e['en']} / {e['zh']}", details=[
            _any(error_details_pb2.ErrorInfo(reason=e["reason"], domain=DOMAIN)),
            _any(error_details_pb2.LocalizedMessage(locale="zh-CN", message=e["zh"]))]))
    elif op.result is not None:
        r = op.result
        out.response.CopyFrom(_any(pb.ImportOrganizationResponse(
            units=r["units"], members=r["members"], posts=r["posts"], settings_changed=r["settings_changed"],
            written=r["written"], problems_total=r.get("problems_total", len(r["problems"])),
            problems=[pb.ImportProblem(row=p["row"], column=p["column"], reason=p["reason"], message=p["en"],
                                       message_zh=p["zh"]) for p in r["problems"]])))
    return out


class SheetServicer:
    """Needs `self.uows` (the unit-of-work factory) and `self.jobs` (ImportJobs)."""

    def ImportOrganization(self, request_iterator, context):
        first, data = _receive(request_iterator)
        code = mapping.tenant_code(first.parent, "parent")
        kind = _kind(first.format)
        try:
            header, rows = parse_sheet(data, kind)
        except SheetError as exc:
            zh, _, en = str(exc).partition(" / ")
            raise InvalidArgument.field("chunk", zh, en or zh, exc.reason) from None
        body = fingerprint(f"{first.parent}|{first.format}|{first.validate_only}|".encode() + data)
        cmd = commands.StartImport(code, len(rows), first.validate_only, first.request_id, body)
        op, new = operations.start_import(cmd, self.uows, current_principal())
        if new:
            self.jobs.submit(op, header, rows)
        return operation_to_proto(op, self.jobs.rows_done(op))

    def ExportOrganization(self, request, context):
        cmd = commands.ExportOrganization(mapping.tenant_code(request.parent, "parent"))
        rows = bulk_import.export_organization(cmd, self.uows, current_principal())  # who may, before the format
        kind = _kind(request.format)
        data = sheet_bytes(rows, kind)
        units = sum(r["record"] == UNIT for r in rows)
        members = sum(r["record"] == MEMBER for r in rows)
        for start in range(0, max(len(data), 1), MAX_CHUNK_BYTES):
            yield pb.ExportOrganizationResponse(chunk=data[start:start + MAX_CHUNK_BYTES], total_bytes=len(data),
                                                units=units, members=members)

    def GetOperation(self, request, context):
        name = OPERATIONS.parse(request.name, "name")
        op = operations.get_operation(commands.GetOperation(name.tenant, name.id), self.uows, current_principal())
        return operation_to_proto(op, self.jobs.rows_done(op))
