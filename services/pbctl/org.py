"""pbctl org: the organization tree from a shell (import, export, listing).

import / export / validate work directly against the database of the environment, like a
migration tool; `units` and `create-tenant` call a running server over gRPC with the token in $TOKEN.
"""

from __future__ import annotations

import sys

import click

from services.pbctl.settings import REQUEST_ID, TARGET, channel, fail, token_metadata


def _uow_factory():
    from services.pbctl.settings import load_settings
    from services.platform import build_runtime, migrate_all

    settings = load_settings()
    migrate_all(settings)
    return build_runtime("organization", settings).uow_factory


def _fail(message: str, status: int = 1) -> None:
    click.echo(message, err=True)
    sys.exit(status)


@click.group()
def org() -> None:
    """Organization service commands (组织体系)."""


@org.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--tenant", required=True, help="County code, e.g. 610222 (the tenant must exist).")
@click.option("--dry-run", is_flag=True, help="Check every row, write nothing.")
def import_(file: str, tenant: str, dry_run: bool) -> None:
    """Load a county's units, members and posts from FILE (.xlsx or .csv), all or nothing."""
    from services.common.errors import PlatformError
    from services.organization.adapters.spreadsheet import SheetError, read_sheet
    from services.organization.service_layer.bulk_import import check_header, import_rows

    try:
        header, rows = read_sheet(file)
    except SheetError as exc:
        _fail(str(exc), 2)
    try:
        report = import_rows(rows, _uow_factory()(tenant), actor="pbctl import", dry_run=dry_run,
                             header_problems=check_header(header))
    except PlatformError as exc:
        _fail(f"导入失败 / import failed: {exc}")
    for line in report.lines():
        click.echo(line, err=not report.ok)
    if not report.ok:
        sys.exit(1)


@org.command("export")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="FILE.xlsx or FILE.csv")
def export(tenant: str, out: str) -> None:
    """Write the county's active tree, members and current posts in the import format."""
    from services.common.errors import PlatformError
    from services.organization.adapters.spreadsheet import SheetError, write_sheet
    from services.organization.service_layer.bulk_import import export_rows

    try:
        rows = export_rows(_uow_factory()(tenant, write=False))
        write_sheet(out, rows)
    except (PlatformError, SheetError) as exc:
        _fail(f"导出失败 / export failed: {exc}")
    units = sum(r["record"] == "unit" for r in rows)
    click.echo(f"已导出 / exported: {units} units, {len(rows) - units} members → {out}")


@org.command("validate")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
def validate(tenant: str) -> None:
    """Check the county's work stations against its bounds; exit 1 on any ERROR finding."""
    from services.common.errors import PlatformError
    from services.organization.service_layer.tenants import validate_tenant

    try:
        findings = validate_tenant(tenant, _uow_factory()(tenant, write=False))
    except PlatformError as exc:
        _fail(f"检查失败 / validation failed: {exc}")
    for f in findings:
        click.echo(f"{f.severity:7} {f.code:32} {f.zh} / {f.en}")
    errors = sum(f.severity == "ERROR" for f in findings)
    click.echo(f"{len(findings)} findings, {errors} errors" if findings else "没有问题 / no findings")
    if errors:
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
    parent = f"tenants/{tenant}"
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
                    _fail(f"--under {under!r}: 找到{len(matches)}个同名组织 / {len(matches)} units have that name "
                          "(use the resource name tenants/.../units/...)", 2)
                under_name = matches[0].name
            found = listing(types=[pb.UnitType.Value(t.upper()) for t in types], under=under_name)
            names = {u.name: u.display_name for u in found}
            missing = sorted({u.parent for u in found if u.parent and u.parent not in names})
            for name in missing:
                names[name] = stub.GetUnit(pb.GetUnitRequest(name=name), metadata=md, timeout=30).display_name
        except grpc.RpcError as err:
            _fail(f"{err.code().name}: {err.details()}")
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
