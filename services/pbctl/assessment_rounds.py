"""pbctl assessment round create / show / list / targets / score / negative / withdraw / advance /
object / resolve / objections / events: a county's review rounds (考核轮次) through the RPCs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from services.common.tenancy import tenant_name
from services.pbctl.assessment import _stub, assessment
from services.pbctl.settings import REQUEST_ID, TARGET, channel, fail, token_metadata
from services.pbctl.settings import call as _call

TENANT = click.option("--tenant", required=True, help="County code, e.g. 610222.")
VALUES_MAX = 200


@assessment.group("round")
def round_group() -> None:
    """Review rounds: targets, scores, negative items, stages, objections, the audit trail."""


def _round(tenant: str, round_id: str) -> str:
    return round_id if round_id.startswith("tenants/") else f"{tenant_name(tenant)}/rounds/{round_id}"


def _target(tenant: str, round_id: str, target_id: str) -> str:
    return target_id if target_id.startswith("tenants/") else f"{_round(tenant, round_id)}/targets/{target_id}"


def _unit(tenant: str, unit: str) -> str:
    return unit if not unit or unit.startswith("tenants/") else f"{tenant_name(tenant)}/units/{unit}"


def _every(method, request, items: str, md):
    """Every item of a listing, page after page (`request` is re-sent with each page token)."""
    while True:
        page = _call(method, request, md)
        yield from getattr(page, items)
        if not page.next_page_token:
            return
        request.page_token = page.next_page_token


def round_line(r) -> str:
    from partybuilding.assessment.v1 import assessment_rounds_pb2 as pb

    stage = f"{r.stage} {r.stage_display_name} ({r.stage_index + 1}/{r.stage_count})" if r.stage else "—"
    notice = f"  notice until {r.notice_end_date}" if r.notice_end_date else ""
    objections = f"  {r.open_objection_count} open objection(s)" if r.open_objection_count else ""
    return (f"{r.name}  {r.display_name}  {r.period}  {pb.Round.State.Name(r.state)}  stage {stage}  "
            f"{r.target_count} targets  etag {r.etag}{notice}{objections}")


def target_line(x) -> str:
    progress = ", ".join(f"{p.source} {p.scored}/{p.required}" for p in x.progress)
    negatives = [n.code for n in x.negative_items if not n.withdrawn]
    flagged = f"  negative: {', '.join(negatives)}" if negatives else ""
    return f"{x.name}  {x.display_name}  [{progress}]{flagged}"


@round_group.command("create")
@TENANT
@click.option("--scheme", required=True, help="Scheme id or name; with --revision, or a full revision name.")
@click.option("--revision", type=int, default=0, help="Published revision number.")
@click.option("--period", required=True, help='Of the scheme\'s period kind: "2026", "2026H1", "2026Q2", "2026-05".')
@click.option("--scope", default="", help="Unit id or name of the subtree (default: the whole county).")
@click.option("--display-name", default="")
@REQUEST_ID
@TARGET
def create(tenant, scheme, revision, period, scope, display_name, request_id, target) -> None:
    """Start a round: freezes the scheme revision and the targets in scope."""
    from partybuilding.assessment.v1 import assessment_rounds_pb2 as pb

    name = scheme if scheme.startswith("tenants/") else f"{tenant_name(tenant)}/schemes/{scheme}"
    if "/revisions/" not in name:
        if revision < 1:
            fail("--revision is required unless --scheme names a revision / 请指定 --revision", 2)
        name = f"{name}/revisions/{revision}"
    request = pb.CreateRoundRequest(parent=tenant_name(tenant), scheme_revision=name, period=period,
                                    scope=_unit(tenant, scope), display_name=display_name)
    with channel(target, request_id) as opened:
        click.echo(round_line(_call(_stub(opened).CreateRound, request, token_metadata(tenant))))


@round_group.command("show")
@TENANT
@click.argument("round_id")
@TARGET
def show(tenant, round_id, target) -> None:
    """One round: its stage, targets, open objections and etag."""
    from partybuilding.assessment.v1 import assessment_rounds_pb2 as pb

    with channel(target) as opened:
        click.echo(round_line(_call(_stub(opened).GetRound, pb.GetRoundRequest(name=_round(tenant, round_id)),
                                    token_metadata(tenant))))


@round_group.command("list")
@TENANT
@click.option("--scheme", default="", help="Only rounds of this scheme id.")
@TARGET
def list_rounds(tenant, scheme, target) -> None:
    """The county's rounds, newest first."""
    from partybuilding.assessment.v1 import assessment_rounds_pb2 as pb

    scheme_name = f"{tenant_name(tenant)}/schemes/{scheme}" if scheme else ""
    request = pb.ListRoundsRequest(parent=tenant_name(tenant), scheme=scheme_name, page_size=100)
    with channel(target) as opened:
        for r in _every(_stub(opened).ListRounds, request, "rounds", token_metadata(tenant)):
            click.echo(round_line(r))


@round_group.command("targets")
@TENANT
@click.argument("round_id")
@click.option("--subtree", default="", help="Only targets under this unit.")
@click.option("--incomplete", is_flag=True, help="Only targets still missing values of the current stage.")
@TARGET
def targets(tenant, round_id, subtree, incomplete, target) -> None:
    """The round's frozen targets with their progress per source."""
    from partybuilding.assessment.v1 import assessment_rounds_pb2 as pb

    request = pb.ListRoundTargetsRequest(parent=_round(tenant, round_id), subtree=_unit(tenant, subtree),
                                         incomplete_only=incomplete, page_size=100)
    with channel(target) as opened:
        for x in _every(_stub(opened).ListRoundTargets, request, "targets", token_metadata(tenant)):
            click.echo(target_line(x))


def _values_from_file(path: Path) -> list[tuple[str, str, str]]:
    """(indicator, value, note) rows of a CSV (indicator,value[,note]) or a YAML mapping / list."""
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            fail(f"{path.name}: {exc}", 2)
        if isinstance(data, dict):
            return [(str(code), str(value), "") for code, value in data.items()]
        if isinstance(data, list) and all(isinstance(item, dict) for item in data):
            return [(str(item.get("indicator", "")), str(item.get("value", "")), str(item.get("note", "")))
                    for item in data]
        fail(f"{path.name}: 应为 指标: 分值 的映射或 {{indicator, value, note}} 列表 / "
             "expected a mapping indicator: value or a list of {indicator, value, note}", 2)
    from services.common.spreadsheet import TooManyRows, UnreadableSheet, read_csv

    try:
        table = read_csv(path.read_bytes(), VALUES_MAX + 1)
    except (TooManyRows, UnreadableSheet) as exc:
        fail(f"{path.name}: {exc}", 2)
    rows = table.rows[1:] if table.rows and table.rows[0][:1] == ["indicator"] else table.rows
    return [(row[0], row[1] if len(row) > 1 else "", row[2] if len(row) > 2 else "") for row in rows]


def indicator_values(pairs: tuple[str, ...], file: str | None):
    from partybuilding.assessment.v1 import assessment_rounds_pb2 as pb

    rows = []
    for pair in pairs:
        code, sep, value = pair.partition("=")
        if not sep:
            fail(f"--value 应为 CODE=VALUE / must be CODE=VALUE: {pair!r}", 2)
        rows.append((code, value, ""))
    if file:
        rows += _values_from_file(Path(file))
    values = []
    for code, value, note in rows:
        try:
            number = float(value)
        except ValueError:
            fail(f"{code}: 分值应为数字 / the value must be a number, got {value!r}", 2)
        values.append(pb.IndicatorValue(indicator=code.strip(), value=number, note=note))
    return values


@round_group.command("score")
@TENANT
@click.argument("round_id")
@click.argument("target_id")
@click.option("--source", required=True, help="Score source code the current stage takes, e.g. ORGANIZATION.")
@click.option("--value", "pairs", multiple=True, help="CODE=VALUE, repeatable.")
@click.option("--file", type=click.Path(exists=True, dir_okay=False),
              help="A CSV (indicator,value[,note]) or YAML (indicator: value) of values.")
@click.option("--note", default="")
@REQUEST_ID
@TARGET
def score(tenant, round_id, target_id, source, pairs, file, note, request_id, target) -> None:
    """Submit (or resubmit) one source's values for one target."""
    from partybuilding.assessment.v1 import assessment_rounds_pb2 as pb

    request = pb.SubmitScoresRequest(target=_target(tenant, round_id, target_id), source=source,
                                     values=indicator_values(pairs, file), note=note)
    with channel(target, request_id) as opened:
        click.echo(target_line(_call(_stub(opened).SubmitScores, request, token_metadata(tenant))))


@round_group.command("negative")
@TENANT
@click.argument("round_id")
@click.argument("target_id")
@click.option("--code", required=True, help="Negative item code of the scheme.")
@click.option("--evidence", required=True, help="The document or finding.")
@REQUEST_ID
@TARGET
def negative(tenant, round_id, target_id, code, evidence, request_id, target) -> None:
    """Record a negative item (负面清单事项) against a target."""
    from partybuilding.assessment.v1 import assessment_rounds_pb2 as pb

    request = pb.RecordNegativeItemRequest(target=_target(tenant, round_id, target_id), code=code, evidence=evidence)
    with channel(target, request_id) as opened:
        done = _call(_stub(opened).RecordNegativeItem, request, token_metadata(tenant))
    click.echo(f"recorded {done.code} {done.display_name}")


@round_group.command("withdraw")
@TENANT
@click.argument("round_id")
@click.argument("target_id")
@click.option("--code", required=True)
@click.option("--reason", required=True)
@TARGET
def withdraw(tenant, round_id, target_id, code, reason, target) -> None:
    """Withdraw a negative item recorded against a target."""
    from partybuilding.assessment.v1 import assessment_rounds_pb2 as pb

    request = pb.WithdrawNegativeItemRequest(target=_target(tenant, round_id, target_id), code=code, reason=reason)
    with channel(target) as opened:
        done = _call(_stub(opened).WithdrawNegativeItem, request, token_metadata(tenant))
    click.echo(f"withdrawn {done.code} {done.display_name}")


@round_group.command("advance")
@TENANT
@click.argument("round_id")
@click.option("--etag", default="", help="The etag you read (pbctl assessment round show); stale -> ABORTED.")
@REQUEST_ID
@TARGET
def advance(tenant, round_id, etag, request_id, target) -> None:
    """Leave the current stage if its checks pass (otherwise: what is missing)."""
    from partybuilding.assessment.v1 import assessment_rounds_pb2 as pb

    request = pb.AdvanceRoundRequest(name=_round(tenant, round_id), etag=etag)
    with channel(target, request_id) as opened:
        click.echo(round_line(_call(_stub(opened).AdvanceRound, request, token_metadata(tenant))))


def objection_line(o) -> str:
    from partybuilding.assessment.v1 import assessment_rounds_pb2 as pb

    decision = f"  {o.decision_note}" if o.decision_note else ""
    return f"{o.name}  {o.target}  {pb.Objection.State.Name(o.state)}  etag {o.etag}  {o.reason}{decision}"


@round_group.command("object")
@TENANT
@click.argument("round_id")
@click.argument("target_id")
@click.option("--reason", required=True)
@REQUEST_ID
@TARGET
def file_objection(tenant, round_id, target_id, reason, request_id, target) -> None:
    """File an objection to a target's provisional result (public notice only)."""
    from partybuilding.assessment.v1 import assessment_rounds_pb2 as pb

    request = pb.FileObjectionRequest(target=_target(tenant, round_id, target_id), reason=reason)
    with channel(target, request_id) as opened:
        click.echo(objection_line(_call(_stub(opened).FileObjection, request, token_metadata(tenant))))


@round_group.command("resolve")
@TENANT
@click.argument("objection")
@click.option("--round", "round_id", default="", help="Round id, when OBJECTION is an id.")
@click.option("--decision", required=True, type=click.Choice(["UPHELD", "REJECTED"]))
@click.option("--note", required=True)
@click.option("--source", default="", help="With --value/--file: the adjusted source (UPHELD only).")
@click.option("--value", "pairs", multiple=True, help="CODE=VALUE, repeatable.")
@click.option("--file", type=click.Path(exists=True, dir_okay=False))
@click.option("--etag", default="")
@TARGET
def resolve(tenant, objection, round_id, decision, note, source, pairs, file, etag, target) -> None:
    """Decide an objection, optionally adjusting the target's scores."""
    from partybuilding.assessment.v1 import assessment_rounds_pb2 as pb

    name = objection if objection.startswith("tenants/") else f"{_round(tenant, round_id)}/objections/{objection}"
    adjustment = None
    if source or pairs or file:
        adjustment = pb.ScoreAdjustment(source=source, values=indicator_values(pairs, file))
    request = pb.ResolveObjectionRequest(name=name, decision=pb.Objection.State.Value(decision), note=note,
                                         adjustment=adjustment, etag=etag)
    with channel(target) as opened:
        click.echo(objection_line(_call(_stub(opened).ResolveObjection, request, token_metadata(tenant))))


@round_group.command("objections")
@TENANT
@click.argument("round_id")
@TARGET
def list_objections(tenant, round_id, target) -> None:
    """The round's objections in filing order."""
    from partybuilding.assessment.v1 import assessment_rounds_pb2 as pb

    request = pb.ListObjectionsRequest(parent=_round(tenant, round_id), page_size=100)
    with channel(target) as opened:
        for o in _every(_stub(opened).ListObjections, request, "objections", token_metadata(tenant)):
            click.echo(objection_line(o))


@round_group.command("events")
@TENANT
@click.argument("round_id")
@click.option("--target-id", default="", help="Only lines about this target.")
@TARGET
def events(tenant, round_id, target_id, target) -> None:
    """The audit trail: who, when, what, before and after."""
    from google.protobuf import json_format
    from partybuilding.assessment.v1 import assessment_rounds_pb2 as pb

    request = pb.ListRoundEventsRequest(parent=_round(tenant, round_id), page_size=100,
                                        target=_target(tenant, round_id, target_id) if target_id else "")
    with channel(target) as opened:
        for e in _every(_stub(opened).ListRoundEvents, request, "events", token_metadata(tenant)):
            change = json.dumps({"before": json_format.MessageToDict(e.before),
                                 "after": json_format.MessageToDict(e.after)}, ensure_ascii=False)
            click.echo(f"{e.sequence}  {e.event_time.ToJsonString()}  {e.actor} ({e.actor_role})  "
                       f"{pb.RoundEvent.Kind.Name(e.kind)}  {e.stage}  {e.summary}  {change}")
