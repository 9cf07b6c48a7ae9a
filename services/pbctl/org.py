"""pbctl org: the organization tree from a shell (import, export, validate, listing).

Every command is a client of the running server's RPCs, with the token in $TOKEN (see
`pbctl dev-token`): a county admin needs no database and no shell on the servers.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

import click

from services.common.tenancy import tenant_name
from services.pbctl.settings import REQUEST_ID, TARGET, channel, fail, token_metadata

# The server's bounds (docs/import-format.md): chunks of at most 1 MiB.
CHUNK_BYTES = 1 << 20
POLL_SECONDS = 0.2
TIMEOUT_SECONDS = 300


def _rpc_failure(err) -> None:
    fail(f"{err.code().name}: {err.details()}", 2 if err.code().name == "INVALID_ARGUMENT" else 1)


def _sheet_format(file_name: str) -> int:
    from partybuilding.organization.v1 import organization_service_pb2 as pb

    formats = {".csv": pb.CSV, ".xlsx": pb.XLSX}
    suffix = Path(file_name).suffix.lower()
    if suffix not in formats:
        fail(f"{Path(file_name).name}: 只支持 .csv 或 .xlsx 文件 / only .csv and .xlsx files are supported", 2)
    return formats[suffix]


def problem_line(row: int, column: str, reason: str, zh: str, en: str) -> str:
    """One refused row as a county admin reads it."""
    where = f"{column}: " if column else ""
    return f"第{row}行 / row {row}: {where}{zh} / {en} [{reason}]"


def report_lines(report, tenant: str) -> list[str]:
    """The terminal text of an ImportOrganizationResponse."""
    if report.problems:
        total = max(report.problems_total, len(report.problems))
        head = (f"导入失败，共{total}处错误，未写入任何数据 / import refused: {total} problem(s), nothing was written")
        if total > len(report.problems):
            head += f"（仅列出前{len(report.problems)}处 / the first {len(report.problems)} are listed）"
        return [head] + [problem_line(p.row, p.column, p.reason, p.message_zh, p.message) for p in report.problems]
    verb = "已导入 / imported" if report.written else "检查通过（未写入） / checked, not written"
    settings = ", settings" if report.settings_changed else ""
    return [f"{verb}: {report.units} units, {report.members} members, {report.posts} posts{settings} → {tenant_name(tenant)}"]


@click.group()
def org() -> None:
    """Organization service commands (组织体系)."""


@org.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--tenant", required=True, help="County code, e.g. 610222 (the tenant must exist).")
@click.option("--dry-run", is_flag=True, help="Check every row, write nothing.")
@REQUEST_ID
@TARGET
def import_(file: str, tenant: str, dry_run: bool, request_id: str, target: str) -> None:
    """Load a county's units, members and posts from FILE (.xlsx or .csv), all or nothing."""
    import grpc
    from partybuilding.organization.v1 import organization_service_pb2 as pb
    from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc

    sheet_format, md = _sheet_format(file), token_metadata(tenant)
    data = Path(file).read_bytes()
    parent, request_id = tenant_name(tenant), request_id or str(uuid.uuid4())

    def chunks():
        yield pb.ImportOrganizationRequest(parent=parent, format=sheet_format, validate_only=dry_run,
                                           request_id=request_id, chunk=data[:CHUNK_BYTES])
        for start in range(CHUNK_BYTES, len(data), CHUNK_BYTES):
            yield pb.ImportOrganizationRequest(chunk=data[start:start + CHUNK_BYTES])

    with channel(target) as opened:
        stub = pb_grpc.OrganizationServiceStub(opened)
        try:
            op = stub.ImportOrganization(chunks(), metadata=md, timeout=TIMEOUT_SECONDS)
            op = _wait(stub, op, md)
        except grpc.RpcError as err:
            _rpc_failure(err)
    if op.HasField("error"):
        fail(f"导入失败 / import failed: {op.error.message}")
    report = pb.ImportOrganizationResponse()
    op.response.Unpack(report)
    for line in report_lines(report, tenant):
        click.echo(line, err=bool(report.problems))
    if report.problems:
        sys.exit(1)


def _wait(stub, op, md):
    """Poll the operation until it is done, with a progress bar of rows checked."""
    from partybuilding.organization.v1 import organization_service_pb2 as pb

    progress = pb.ImportOrganizationMetadata()
    op.metadata.Unpack(progress)
    with click.progressbar(length=max(progress.rows_total, 1), label="检查 / checking rows", file=sys.stderr) as bar:
        shown = 0
        while not op.done:
            time.sleep(POLL_SECONDS)
            op = stub.GetOperation(pb.GetOperationRequest(name=op.name), metadata=md, timeout=30)
            op.metadata.Unpack(progress)
            bar.update(progress.rows_done - shown)
            shown = progress.rows_done
        bar.update(bar.length - shown)
    return op


def _check_out(out: str) -> Path:
    """Refuse an output path that cannot be written before anything is fetched (exit 2)."""
    path = Path(out)
    folder = path.parent
    if not folder.is_dir():
        fail(f"--out {out}: 目录“{folder}”不存在 / the directory {str(folder)!r} does not exist", 2)
    if path.is_dir() or not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        fail(f"--out {out}: 无法写入该文件 / cannot write this file", 2)
    return path


def _write_private(path: Path, data: bytes) -> None:
    """The sheet holds ID numbers in clear: readable by its owner only (0600), even when it replaces a file."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o600)
            f.write(data)
    except OSError as err:
        fail(f"--out {path}: 写入失败 / could not write the file: {err.strerror}", 2)


@org.command("export")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="FILE.xlsx or FILE.csv")
@TARGET
def export(tenant: str, out: str, target: str) -> None:
    """Write the county's settings, active tree, members and current posts in the import format
    (ID numbers in clear: the file is created readable by its owner only)."""
    import grpc
    from partybuilding.organization.v1 import organization_service_pb2 as pb
    from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc

    sheet_format, path, md = _sheet_format(out), _check_out(out), token_metadata(tenant)
    request = pb.ExportOrganizationRequest(parent=tenant_name(tenant), format=sheet_format)
    data, last = bytearray(), None
    with channel(target) as opened:
        try:
            stream = pb_grpc.OrganizationServiceStub(opened).ExportOrganization(request, metadata=md,
                                                                                 timeout=TIMEOUT_SECONDS)
            with click.progressbar(length=1, label="导出 / exporting", file=sys.stderr) as bar:
                for last in stream:
                    bar.length = max(last.total_bytes, 1)
                    data += last.chunk
                    bar.update(len(last.chunk))
        except grpc.RpcError as err:
            _rpc_failure(err)
    _write_private(path, bytes(data))
    click.echo(f"已导出 / exported: {last.units} units, {last.members} members → {out}")


@org.command("validate")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@TARGET
def validate(tenant: str, target: str) -> None:
    """Check the county's work stations against its bounds; exit 1 on any ERROR finding."""
    import grpc
    from partybuilding.organization.v1 import organization_service_pb2 as pb
    from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc

    md = token_metadata(tenant)
    with channel(target) as opened:
        try:
            resp = pb_grpc.OrganizationServiceStub(opened).ValidateTenant(
                pb.ValidateTenantRequest(name=tenant_name(tenant)), metadata=md, timeout=TIMEOUT_SECONDS)
        except grpc.RpcError as err:
            _rpc_failure(err)
    for f in resp.findings:
        click.echo(f"{pb.Finding.Severity.Name(f.severity):7} {f.code:32} {f.message_zh} / {f.message}")
    errors = sum(f.severity == pb.Finding.ERROR for f in resp.findings)
    click.echo(f"{len(resp.findings)} findings, {errors} errors" if resp.findings else "没有问题 / no findings")
    if not resp.ok:
        sys.exit(1)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain aligned text table, CJK-aware."""
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


@org.command("units")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@click.option("--type", "types", multiple=True,
              type=click.Choice(["TOWNSHIP", "WORK_STATION", "VILLAGE", "COMMUNITY", "BRANCH", "PARTY_GROUP"],
                                case_sensitive=False), help="Only units of this type. Repeatable.")
@click.option("--under", default="", help="A unit's display name (e.g. 彭镇) or resource name: list its subtree.")
@TARGET
@click.option("--limit", default=1000, show_default=True, help="At most this many units.")
def units(tenant: str, types: tuple[str, ...], under: str, target: str, limit: int) -> None:
    """List units through the running server (token from $TOKEN; see `pbctl dev-token`)."""
    import grpc
    from partybuilding.organization.v1 import organization_service_pb2 as pb
    from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc

    md = token_metadata(tenant)
    parent = tenant_name(tenant)
    with channel(target) as opened:
        stub = pb_grpc.OrganizationServiceStub(opened)

        def listing(**req) -> list:
            found, page = [], ""
            while len(found) < limit:
                resp = stub.ListUnits(pb.ListUnitsRequest(parent=parent, page_size=min(1000, limit), page_token=page,
                                                          **req), metadata=md, timeout=30)
                found += resp.units
                page = resp.next_page_token
                if not page:
                    break
            return found[:limit]

        try:
            under_name = under
            if under and not under.startswith("tenants/"):
                matches = [u for u in listing() if u.display_name == under]
                if len(matches) != 1:
                    fail(f"--under {under!r}: 找到{len(matches)}个同名组织 / {len(matches)} units have that name "
                          "(use the resource name tenants/.../units/...)", 2)
                under_name = matches[0].name
            found = listing(types=[pb.UnitType.Value(t.upper()) for t in types], under=under_name)
            names = {u.name: u.display_name for u in found}
            missing = sorted({u.parent for u in found if u.parent and u.parent not in names})
            for name in missing:
                names[name] = stub.GetUnit(pb.GetUnitRequest(name=name), metadata=md, timeout=30).display_name
        except grpc.RpcError as err:
            fail(f"{err.code().name}: {err.details()}")
    rows = [[u.display_name, pb.UnitType.Name(u.type), names.get(u.parent, ""), str(u.member_count),
             u.name.rsplit("/", 1)[-1]] for u in found]
    click.echo(table(["名称 name", "类型 type", "上级 parent", "党员 members", "id"], rows))
    click.echo(f"{len(rows)} units")


@org.command("create-tenant")
@click.option("--code", required=True, help="The county's 6-digit division code, e.g. 610222.")
@click.option("--name", "display_name", required=True, help="The county's name, e.g. 宜君县.")
@click.option("--city-code", default="", help="The city's code (default: derived from --code).")
@click.option("--city-name", "city_display_name", default="", help="The city's name, e.g. 铜川市.")
@REQUEST_ID
@TARGET
def create_tenant(code: str, display_name: str, city_code: str, city_display_name: str, request_id: str,
                  target: str) -> None:
    """Onboard a county through the running server (an operator's token in $TOKEN)."""
    import grpc
    from partybuilding.organization.v1 import organization_service_pb2 as pb
    from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc

    request = pb.CreateTenantRequest(tenant=pb.Tenant(code=code, display_name=display_name, city_code=city_code,
                                                      city_display_name=city_display_name))
    with channel(target, request_id) as opened:
        try:
            tenant = pb_grpc.OrganizationServiceStub(opened).CreateTenant(request, metadata=token_metadata(code),
                                                                           timeout=30)
        except grpc.RpcError as err:
            lost = err.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
            fail(f"{err.code().name}: {err.details()}" + (
                f"\n重试请用 / to retry without creating twice: --request-id {request.request_id}" if lost else ""))
    click.echo(f"{tenant.name}\t{tenant.display_name}\t{tenant.city_code}\trequest_id={request.request_id}")
