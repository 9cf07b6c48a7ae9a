"""pbctl points: a county's points rules (and its directory) from a shell.

Every command is a client of the running server's RPCs, with the token in $TOKEN (see
`pbctl dev-token`). The ledger's and the exchange's commands are added to the `points` group by
their own modules.
"""

from __future__ import annotations

from pathlib import Path

import click

from services.common.tenancy import tenant_name
from services.pbctl.settings import REQUEST_ID, TARGET, channel, fail, token_metadata

TIMEOUT_SECONDS = 30
# What a county may write in a file; everything else is the server's (RuleSet's output-only fields).
MAX_FILE_BYTES = 1 << 20
# A number option as the protos carry it: out of int32 is a usage error, never a stack trace.
INT32 = click.IntRange(-(2**31), 2**31 - 1)
CONTENT_PATHS = ("display_name", "description", "mode", "base", "floor", "max_quantity", "thresholds", "rules")


def _stub(opened):
    from partybuilding.points.v1 import points_service_pb2_grpc as pb_grpc

    return pb_grpc.PointsServiceStub(opened)


def violation_lines(err) -> list[str]:
    """Every field violation of a refused call, paths relative to the file (`rules[3].points: ...`)."""
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    status = rpc_status.from_call(err)
    lines = []
    for detail in status.details if status is not None else []:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            lines += [f"{v.field.removeprefix('rule_set.')}: {v.description}" for v in bad.field_violations]
    return lines


def _rpc_failure(err) -> None:
    lines = violation_lines(err)
    if lines:
        fail("\n".join([f"{err.code().name}: {len(lines)} problem(s) / 共{len(lines)}处问题", *lines]), 2)
    fail(f"{err.code().name}: {err.details()}", 2 if err.code().name == "INVALID_ARGUMENT" else 1)


def _call(method, request, md):
    import grpc

    try:
        return method(request, metadata=md, timeout=TIMEOUT_SECONDS)
    except grpc.RpcError as err:
        _rpc_failure(err)


def _rule_set_name(name_or_id: str, tenant: str) -> str:
    """A rule set's resource name, or its id in the --tenant county."""
    if name_or_id.startswith("tenants/"):
        return name_or_id
    if not tenant:
        raise click.UsageError("give the rule set's full name (tenants/{code}/ruleSets/{id}) or --tenant")
    from services.points.domain.names import rule_set_name

    return rule_set_name(tenant, name_or_id)


def summary(rule_set) -> str:
    from partybuilding.points.v1 import points_service_pb2 as pb

    state = pb.RuleSet.State.Name(rule_set.state)
    since = f" from {rule_set.effective_from}" if rule_set.effective_from else ""
    return (f"{rule_set.name or rule_set.template}  {rule_set.display_name}  {pb.RuleSet.Mode.Name(rule_set.mode)}  "
            f"revision {rule_set.revision} {state}{since}  {len(rule_set.rules)} rules")


def _document(rule_set) -> dict:
    """The file form of a rule set, as `rules apply` reads it."""
    from google.protobuf import json_format

    full = json_format.MessageToDict(rule_set, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)
    return {key: full[key] for key in CONTENT_PATHS if key in full}


def _yaml(data: dict) -> str:
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200)


@click.group()
def points() -> None:
    """Points service commands (党员积分)."""


@points.group()
def rules() -> None:
    """A county's points rules: templates, rule sets, revisions (积分规则)."""


@rules.command("templates")
@TARGET
def templates(target: str) -> None:
    """List the shipped templates a county can adopt."""
    from partybuilding.points.v1 import points_service_pb2 as pb

    md = token_metadata()
    with channel(target) as opened:
        found = _call(_stub(opened).ListRuleSetTemplates, pb.ListRuleSetTemplatesRequest(), md)
    for t in found.templates:
        click.echo(summary(t))


@rules.command("template")
@click.argument("name")
@TARGET
def template(name: str, target: str) -> None:
    """Print template NAME as YAML for a county to adapt: `pbctl points rules template xuanen > rules.yaml`."""
    from partybuilding.points.v1 import points_service_pb2 as pb

    md = token_metadata()
    with channel(target) as opened:
        found = _call(_stub(opened).ListRuleSetTemplates, pb.ListRuleSetTemplatesRequest(), md)
    chosen = next((t for t in found.templates if t.template == name), None)
    if chosen is None:
        fail(f"没有模板 {name!r} / no template {name!r}; templates: {', '.join(t.template for t in found.templates)}", 2)
    click.echo(_yaml(_document(chosen)), nl=False)


@rules.command("list")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@TARGET
def list_(tenant: str, target: str) -> None:
    """List the county's rule sets, each at its latest revision."""
    from partybuilding.points.v1 import points_service_pb2 as pb

    md, token = token_metadata(tenant), ""
    with channel(target) as opened:
        while True:
            page = _call(_stub(opened).ListRuleSets, pb.ListRuleSetsRequest(
                parent=tenant_name(tenant), page_size=200, page_token=token), md)
            for rule_set in page.rule_sets:
                click.echo(summary(rule_set))
            token = page.next_page_token
            if not token:
                break


@rules.command("show")
@click.argument("name")
@click.option("--tenant", default="", help="County code, when NAME is a rule set's id.")
@click.option("--revision", type=INT32, default=0, help="A given revision (default: the latest).")
@TARGET
def show(name: str, tenant: str, revision: int, target: str) -> None:
    """Print rule set NAME (tenants/{code}/ruleSets/{id}, or its id with --tenant) as YAML."""
    from partybuilding.points.v1 import points_service_pb2 as pb

    full = _rule_set_name(name, tenant)
    md = token_metadata(tenant)
    with channel(target) as opened:
        stub = _stub(opened)
        found = (_call(stub.GetRuleSetRevision, pb.GetRuleSetRevisionRequest(name=f"{full}/revisions/{revision}"), md)
                 if revision else _call(stub.GetRuleSet, pb.GetRuleSetRequest(name=full), md))
    click.echo(f"# {summary(found)}")
    click.echo(_yaml(_document(found)), nl=False)


@points.command("resync")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@TARGET
def resync(tenant: str, target: str) -> None:
    """Rebuild the county's directory of the organization from the organization's listings (operators)."""
    from partybuilding.points.v1 import points_service_pb2 as pb

    md = token_metadata(tenant)
    with channel(target) as opened:
        counts = _call(_stub(opened).ResyncDirectory, pb.ResyncDirectoryRequest(parent=tenant_name(tenant)), md)
    click.echo(f"resynced {tenant_name(tenant)}: {counts.units} units, {counts.members} members, "
               f"{counts.posts} posts, {counts.removed} removed")


def load_file(file: str):
    """The RuleSet a YAML file states, or every unknown key and wrong type in it (exit status 2)."""
    import yaml

    from services.points.domain.rule_set_format import load_yaml, parse_document

    name = Path(file).name
    size = Path(file).stat().st_size
    if size > MAX_FILE_BYTES:  # a county's rules are a few kB; the server would refuse the message anyway
        fail(f"{name}: 文件过大（{size} 字节，最多 {MAX_FILE_BYTES} 字节） / file too large "
             f"({size} bytes, at most {MAX_FILE_BYTES})", 2)
    try:
        text = Path(file).read_bytes().decode("utf-8-sig")  # Notepad's BOM is UTF-8 too
    except UnicodeDecodeError:
        fail(f"{name}: 文件不是 UTF-8 编码，请另存为 UTF-8 / not UTF-8 text: save the file as UTF-8", 2)
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        fail(f"{name}: 不是有效的 YAML / not valid YAML: {exc}", 2)
    _, problems = parse_document(data)
    if problems:
        lines = [f"{p.path}: {p.en} / {p.zh}" for p in problems]
        fail("\n".join([f"{name}: {len(lines)} problem(s) / 共{len(lines)}处问题", *lines]), 2)
    return data


def _effective_from(text: str) -> str:
    """--effective-from as YYYY-MM-DD (full-width digits too), checked before anything is written."""
    from services.common.clock import iso_date, parse_date

    day = parse_date(text)
    if day is None:
        raise click.BadParameter(f"{text!r} 不是日期，应为 YYYY-MM-DD / is not a date YYYY-MM-DD",
                                 param_hint="--effective-from")
    return iso_date(day)


def _message(data: dict):
    from google.protobuf import json_format
    from partybuilding.points.v1 import points_service_pb2 as pb

    # parse_document accepted every key and type: only the case of enum names is left to settle.
    upper = {"mode", "comparison", "kind", "unit", "recorder_roles"}

    def settle(value, key=""):
        if isinstance(value, dict):
            return {k: settle(v, k) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [settle(v, key) for v in value]
        return value.strip().upper() if key in upper and isinstance(value, str) else value

    return json_format.ParseDict(settle(data), pb.RuleSet())


@rules.command("apply")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@click.option("--id", "rule_set_id", default="", help="The rule set's id: updated if it exists, else created.")
@click.option("--publish", is_flag=True, help="Publish the draft afterwards (needs --effective-from).")
@click.option("--effective-from", default="", help="YYYY-MM-DD the published rules take effect.")
@click.option("--dry-run", is_flag=True, help="Check everything on the server, write nothing.")
@REQUEST_ID
@TARGET
def apply(file: str, tenant: str, rule_set_id: str, publish: bool, effective_from: str, dry_run: bool,
          request_id: str, target: str) -> None:
    """Create or update a rule set from FILE.yaml; every problem is printed with its path."""
    import grpc
    from google.protobuf.field_mask_pb2 import FieldMask
    from partybuilding.points.v1 import points_service_pb2 as pb

    if publish and not effective_from:
        raise click.UsageError("--publish needs --effective-from YYYY-MM-DD")
    if publish:  # a date the server would refuse after the draft was written: refuse it first
        effective_from = _effective_from(effective_from)
    data = load_file(file)
    message, md = _message(data), token_metadata(tenant)
    with channel(target, request_id) as opened:
        stub, existing = _stub(opened), None
        if rule_set_id:
            name = _rule_set_name(rule_set_id, tenant)
            try:
                existing = stub.GetRuleSet(pb.GetRuleSetRequest(name=name), metadata=md, timeout=TIMEOUT_SECONDS)
            except grpc.RpcError as err:
                if err.code() != grpc.StatusCode.NOT_FOUND:
                    _rpc_failure(err)
        if existing is None:
            answer = _call(stub.CreateRuleSet, pb.CreateRuleSetRequest(
                parent=tenant_name(tenant), rule_set=message, rule_set_id=rule_set_id, validate_only=dry_run), md)
        else:
            message.name = existing.name
            paths = [key for key in CONTENT_PATHS if key in data]
            answer = _call(stub.UpdateRuleSet, pb.UpdateRuleSetRequest(
                rule_set=message, update_mask=FieldMask(paths=paths), etag=existing.etag, validate_only=dry_run), md)
        if dry_run:
            click.echo(f"检查通过（未写入） / checked, nothing written: {summary(answer)}")
            return
        if publish:
            try:
                answer = stub.PublishRuleSet(pb.PublishRuleSetRequest(
                    name=answer.name, effective_from=effective_from, etag=answer.etag), metadata=md,
                    timeout=TIMEOUT_SECONDS)
            except grpc.RpcError as err:  # the draft is saved: say so, and how to publish it
                click.echo(f"草稿已保存，未发布 / the draft is saved, not published: {summary(answer)}", err=True)
                _rpc_failure(err)
    click.echo(summary(answer))
    if answer.state != pb.RuleSet.PUBLISHED and not publish:
        click.echo("草稿未发布 / a draft: publish it with --publish --effective-from YYYY-MM-DD", err=True)
