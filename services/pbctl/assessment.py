"""pbctl assessment: a county's assessment schemes (and its directory) from a shell.

Every command is a client of the running server's RPCs, with the token in $TOKEN (see
`pbctl dev-token`). Rounds, results and cases add their commands to the `assessment` group from
their own modules.
"""

from __future__ import annotations

from pathlib import Path

import click

from services.common.tenancy import tenant_name
from services.pbctl import settings
from services.pbctl.settings import REQUEST_ID, TARGET, channel, fail, token_metadata

TIMEOUT_SECONDS = 30


def _stub(opened):
    from partybuilding.assessment.v1 import assessment_service_pb2_grpc as pb_grpc

    return pb_grpc.AssessmentServiceStub(opened)


PREFIX = "scheme."  # a refusal's paths, relative to the file


def call(method, request, md):
    return settings.call(method, request, md, PREFIX, TIMEOUT_SECONDS)


def scheme_name_of(name_or_id: str, tenant: str) -> str:
    """A scheme's resource name, or its id in the --tenant county."""
    if name_or_id.startswith("tenants/"):
        return name_or_id
    if not tenant:
        raise click.UsageError("give the scheme's full name (tenants/{code}/schemes/{id}) or --tenant")
    from services.assessment.domain.names import scheme_name

    return scheme_name(tenant, name_or_id)


def summary(scheme) -> str:
    from partybuilding.assessment.v1 import assessment_schemes_pb2 as pb

    indicators = sum(len(d.indicators) for d in scheme.dimensions)
    state = f"  revision {scheme.revision} {pb.Scheme.State.Name(scheme.state)}" if scheme.revision else ""
    since = f" from {scheme.effective_from}" if scheme.effective_from else ""
    return (f"{scheme.name or scheme.template}  {scheme.display_name}  {pb.TargetKind.Name(scheme.target_kind)} "
            f"{pb.PeriodKind.Name(scheme.period_kind)}{state}{since}  {len(scheme.dimensions)} dimensions, "
            f"{indicators} indicators, {len(scheme.negative_items)} negative items, {len(scheme.stages)} stages")


def document_yaml(scheme) -> str:
    """The file form of a scheme, as `scheme apply` reads it (the server's own format)."""
    import yaml

    from services.assessment.domain.scheme_format import to_document
    from services.assessment.entrypoints.mapping import scheme_from_proto

    return yaml.safe_dump(_without_empty(to_document(scheme_from_proto(scheme))), allow_unicode=True,
                          sort_keys=False, width=200)


def _without_empty(value):
    """Unset optional values left out, so a printed file states only what counts."""
    if isinstance(value, dict):
        return {k: _without_empty(v) for k, v in value.items() if v is not None and v != "" and v != []}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


@click.group()
def assessment() -> None:
    """Assessment service commands (考核: 头雁指数, 评星定级, 五个好/六个好)."""


@assessment.group()
def scheme() -> None:
    """A county's assessment schemes: templates, schemes, revisions (考核方案)."""


def _templates(target: str):
    from partybuilding.assessment.v1 import assessment_schemes_pb2 as pb

    md = token_metadata()
    with channel(target) as opened:
        return call(_stub(opened).ListSchemeTemplates, pb.ListSchemeTemplatesRequest(), md).templates


@scheme.command("templates")
@TARGET
def templates(target: str) -> None:
    """List the shipped templates a county can adopt."""
    for t in _templates(target):
        click.echo(summary(t))


@scheme.command("template")
@click.argument("name")
@TARGET
def template(name: str, target: str) -> None:
    """Print template NAME as YAML to adapt: `pbctl assessment scheme template star-rating > scheme.yaml`."""
    found = _templates(target)
    chosen = next((t for t in found if t.template == name), None)
    if chosen is None:
        fail(f"没有模板 {name!r} / no template {name!r}; templates: {', '.join(t.template for t in found)}", 2)
    click.echo(document_yaml(chosen), nl=False)


@scheme.command("list")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@TARGET
def list_(tenant: str, target: str) -> None:
    """List the county's schemes, each at its latest revision."""
    from partybuilding.assessment.v1 import assessment_schemes_pb2 as pb

    md, token = token_metadata(tenant), ""
    with channel(target) as opened:
        while True:
            page = call(_stub(opened).ListSchemes, pb.ListSchemesRequest(
                parent=tenant_name(tenant), page_size=100, page_token=token), md)
            for found in page.schemes:
                click.echo(summary(found))
            token = page.next_page_token
            if not token:
                break


@scheme.command("show")
@click.argument("name")
@click.option("--tenant", default="", help="County code, when NAME is a scheme's id.")
@click.option("--revision", type=int, default=0, help="A given revision (default: the latest).")
@TARGET
def show(name: str, tenant: str, revision: int, target: str) -> None:
    """Print scheme NAME (tenants/{code}/schemes/{id}, or its id with --tenant) as YAML."""
    from partybuilding.assessment.v1 import assessment_schemes_pb2 as pb

    full = scheme_name_of(name, tenant)
    md = token_metadata(tenant)
    with channel(target) as opened:
        stub = _stub(opened)
        found = (call(stub.GetSchemeRevision, pb.GetSchemeRevisionRequest(name=f"{full}/revisions/{revision}"), md)
                 if revision else call(stub.GetScheme, pb.GetSchemeRequest(name=full), md))
    click.echo(f"# {summary(found)}")
    click.echo(document_yaml(found), nl=False)


@scheme.command("adopt")
@click.argument("template_name")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@click.option("--id", "scheme_id", default="", help="The new scheme's id (default: generated).")
@click.option("--display-name", default="", help="The county's own name for it (default: the template's).")
@REQUEST_ID
@TARGET
def adopt(template_name: str, tenant: str, scheme_id: str, display_name: str, request_id: str, target: str) -> None:
    """Adopt shipped template TEMPLATE_NAME as a draft scheme of the county (it remembers its template)."""
    from partybuilding.assessment.v1 import assessment_schemes_pb2 as pb

    md = token_metadata(tenant)
    with channel(target, request_id) as opened:
        answer = call(_stub(opened).CreateScheme, pb.CreateSchemeRequest(
            parent=tenant_name(tenant), scheme=pb.Scheme(display_name=display_name), scheme_id=scheme_id,
            template=template_name), md)
    click.echo(summary(answer))


@scheme.command("publish")
@click.argument("name")
@click.option("--tenant", default="", help="County code, when NAME is a scheme's id.")
@click.option("--effective-from", default="", help="YYYY-MM-DD the revision is used from (default: today).")
@TARGET
def publish(name: str, tenant: str, effective_from: str, target: str) -> None:
    """Publish the draft of scheme NAME: from then on it never changes."""
    from partybuilding.assessment.v1 import assessment_schemes_pb2 as pb

    md = token_metadata(tenant)
    with channel(target) as opened:
        stub = _stub(opened)
        found = call(stub.GetScheme, pb.GetSchemeRequest(name=scheme_name_of(name, tenant)), md)
        answer = call(stub.PublishScheme, pb.PublishSchemeRequest(name=found.name, effective_from=effective_from,
                                                                  etag=found.etag), md)
    click.echo(summary(answer))


@assessment.command("resync")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@TARGET
def resync(tenant: str, target: str) -> None:
    """Rebuild the county's directory of the organization from the organization's listings (operators)."""
    from partybuilding.assessment.v1 import assessment_service_pb2 as pb

    md = token_metadata(tenant)
    with channel(target) as opened:
        counts = call(_stub(opened).ResyncDirectory, pb.ResyncDirectoryRequest(parent=tenant_name(tenant)), md)
    click.echo(f"resynced {tenant_name(tenant)}: {counts.units} units, {counts.members} members, "
               f"{counts.posts} posts, {counts.removed} removed")


def load_file(file: str):
    """The scheme a YAML file states as a Scheme message, or every unknown key and wrong type (exit 2)."""
    import yaml

    from services.assessment.domain.scheme_format import DOCUMENT_FIELDS, parse_document

    try:
        data = yaml.safe_load(Path(file).read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        fail(f"{Path(file).name}: 不是有效的 YAML / not valid YAML: {exc}", 2)
    parsed, problems = parse_document(data)
    if problems:
        lines = [f"{p.field}: {p.en} / {p.zh}" for p in problems]
        fail("\n".join([f"{Path(file).name}: {len(lines)} problem(s) / 共{len(lines)}处问题", *lines]), 2)
    from services.assessment.entrypoints.mapping import scheme_message

    return scheme_message(parsed), [key for key in DOCUMENT_FIELDS if key in data]


@scheme.command("apply")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@click.option("--id", "scheme_id", default="", help="The scheme's id: updated if it exists, else created.")
@click.option("--validate-only", is_flag=True, help="Check everything on the server, write nothing.")
@click.option("--publish", is_flag=True, help="Publish the draft afterwards.")
@click.option("--effective-from", default="", help="YYYY-MM-DD the published revision is used from (default: today).")
@REQUEST_ID
@TARGET
def apply(file: str, tenant: str, scheme_id: str, validate_only: bool, publish: bool, effective_from: str,
          request_id: str, target: str) -> None:
    """Create or update a scheme from FILE.yaml; every problem is printed with its path."""
    import grpc
    from google.protobuf.field_mask_pb2 import FieldMask
    from partybuilding.assessment.v1 import assessment_schemes_pb2 as pb

    if validate_only and publish:
        raise click.UsageError("--validate-only writes nothing, so it cannot --publish")
    message, paths = load_file(file)
    md = token_metadata(tenant)
    with channel(target, request_id) as opened:
        stub, existing = _stub(opened), None
        if scheme_id:
            try:
                existing = stub.GetScheme(pb.GetSchemeRequest(name=scheme_name_of(scheme_id, tenant)), metadata=md,
                                          timeout=TIMEOUT_SECONDS)
            except grpc.RpcError as err:
                if err.code() != grpc.StatusCode.NOT_FOUND:
                    settings.rpc_failure(err, PREFIX)
        if existing is None:
            answer = call(stub.CreateScheme, pb.CreateSchemeRequest(
                parent=tenant_name(tenant), scheme=message, scheme_id=scheme_id, validate_only=validate_only), md)
        else:
            message.name = existing.name
            answer = call(stub.UpdateScheme, pb.UpdateSchemeRequest(
                scheme=message, update_mask=FieldMask(paths=paths), etag=existing.etag,
                validate_only=validate_only), md)
        if validate_only:
            click.echo(f"检查通过（未写入） / checked, nothing written: {summary(answer)}")
            return
        if publish:
            answer = call(stub.PublishScheme, pb.PublishSchemeRequest(
                name=answer.name, effective_from=effective_from, etag=answer.etag), md)
    click.echo(summary(answer))
    if answer.state != pb.Scheme.PUBLISHED:
        click.echo("草稿未发布 / a draft: publish it with --publish", err=True)
