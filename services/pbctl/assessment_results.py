"""pbctl assessment results / result / export / preview: a round's results (考核结果) through the RPCs.

`results ROUND` prints the ranking table, `result ROUND TARGET` one target explained down to each
source's value, `export ROUND -o FILE.xlsx` the table a county office prints, `preview ROUND
--revision N | --weight DIM=W` who would move under a draft revision or other weights.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from services.common.tenancy import tenant_name
from services.pbctl.assessment import _stub, assessment
from services.pbctl.settings import TARGET, channel, fail, token_metadata
from services.pbctl.settings import call as _call

TENANT = click.option("--tenant", default="", help="County code, e.g. 610222 (when ROUND is an id).")
PAGE = 500


def _round(tenant: str, round_id: str) -> str:
    if round_id.startswith("tenants/"):
        return round_id
    if not tenant:
        raise click.UsageError("give the round's full name (tenants/{code}/rounds/{id}) or --tenant")
    return f"{tenant_name(tenant)}/rounds/{round_id}"


def _unit(round_name: str, unit: str) -> str:
    if not unit or unit.startswith("tenants/"):
        return unit
    return f"{'/'.join(round_name.split('/')[:2])}/units/{unit}"


def _score(value: float) -> str:
    return f"{value:.2f}"


def result_line(r) -> str:
    capped = f" (before {r.grade_before_display_name})" if r.grade_before != r.grade else ""
    negatives = "; ".join(f"{n.display_name}: {n.effect_description}" for n in r.negative_items)
    change = ""
    if r.HasField("change"):
        change = f"  vs previous: {r.change.total_change:+.2f}, rank {r.change.rank_change:+d}"
    weak = "  软弱涣散 weak" if r.weak else ""
    return (f"{r.rank_in_scope:>4}  {r.display_name}  {_score(r.total)}  {r.grade_display_name}{capped}{weak}  "
            f"township rank {r.rank_in_township}{change}{'  ' + negatives if negatives else ''}")


@assessment.command("results")
@click.argument("round_id")
@TENANT
@click.option("--township", default="", help="Only this township's targets (unit id or name).")
@click.option("--under", default="", help="Only targets inside this unit's subtree (unit id or name).")
@click.option("--grade", default="", help="Only this grade code.")
@TARGET
def results(round_id: str, tenant: str, township: str, under: str, grade: str, target: str) -> None:
    """The round's results in rank order (provisional during the public notice)."""
    from partybuilding.assessment.v1 import assessment_results_pb2 as rpb

    name = _round(tenant, round_id)
    token, md = "", token_metadata()
    with channel(target) as opened:
        stub = _stub(opened)
        while True:
            page = _call(stub.ListResults, rpb.ListResultsRequest(
                parent=name, township=_unit(name, township), under=_unit(name, under), grade=grade,
                page_size=PAGE, page_token=token), md)
            for r in page.results:
                click.echo(result_line(r))
            token = page.next_page_token
            if not token:
                break


@assessment.command("result")
@click.argument("round_id")
@click.argument("target_id")
@TENANT
@TARGET
def result(round_id: str, target_id: str, tenant: str, target: str) -> None:
    """One target's result explained: dimensions, indicators, each source's value, negative items."""
    from partybuilding.assessment.v1 import assessment_results_pb2 as rpb

    # A target's id, its result's name, or the target's name as `round targets` prints it.
    name = target_id if target_id.startswith("tenants/") else f"{_round(tenant, round_id)}/results/{target_id}"
    name = name.replace("/targets/", "/results/")
    with channel(target) as opened:
        r = _call(_stub(opened).GetResult, rpb.GetResultRequest(name=name), token_metadata())
    click.echo(result_line(r))
    for d in r.dimensions:
        click.echo(f"  {d.display_name} ({d.code})  weight {d.weight:g}%  {_score(d.points)}/{d.max_points:g}"
                   f"  -> {_score(d.contribution)}")
        for i in d.indicators:
            sources = ", ".join(f"{s.source} {s.submitted:g} -> {_score(s.value)}" for s in i.sources)
            click.echo(f"    {i.display_name} ({i.code})  {_score(i.score)}/{i.max_score:g}  [{sources}]")
    click.echo(f"  base {_score(r.base_total)}  deductions {_score(r.deductions)}  total {_score(r.total)}")


@assessment.command("export")
@click.argument("round_id")
@TENANT
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .xlsx file to write.")
@click.option("--township", default="")
@click.option("--under", default="")
@TARGET
def export(round_id: str, tenant: str, output: Path, township: str, under: str, target: str) -> None:
    """The results table as the county office prints it (every cell text, never a formula)."""
    from partybuilding.assessment.v1 import assessment_results_pb2 as rpb

    name = _round(tenant, round_id)
    with channel(target) as opened:
        answer = _call(_stub(opened).ExportResults, rpb.ExportResultsRequest(
            parent=name, township=_unit(name, township), under=_unit(name, under)), token_metadata())
    output.write_bytes(answer.content)
    click.echo(f"wrote {output} ({len(answer.content)} bytes; suggested name {answer.filename})")


def _weights(pairs: tuple[str, ...], option: str) -> dict[str, float]:
    out = {}
    for pair in pairs:
        code, sep, value = pair.partition("=")
        try:
            if not sep or not code:
                raise InvalidOperation
            out[code.strip()] = float(Decimal(value.strip()))
        except (InvalidOperation, ValueError):
            fail(f"{option} {pair!r}: expected CODE=PERCENT, e.g. {option} SERVE=40", 2)
    return out


@assessment.command("preview")
@click.argument("round_id")
@TENANT
@click.option("--revision", type=int, default=0, help="A revision (draft or published) of the round's scheme.")
@click.option("--weight", "weights", multiple=True, help="DIMENSION=PERCENT (repeat; must still sum to 100).")
@click.option("--source-weight", "source_weights", multiple=True, help="SOURCE=PERCENT (repeat).")
@click.option("--all", "show_all", is_flag=True, help="List every target, not only the movers.")
@TARGET
def preview(round_id: str, tenant: str, revision: int, weights: tuple[str, ...], source_weights: tuple[str, ...],
            show_all: bool, target: str) -> None:
    """Who would move under a draft revision or other weights; nothing is written."""
    from partybuilding.assessment.v1 import assessment_results_pb2 as rpb

    request = rpb.PreviewResultsRequest(round=_round(tenant, round_id), revision=revision, movers_only=not show_all)
    request.weight_overrides.dimension_weights.update(_weights(weights, "--weight"))
    request.weight_overrides.source_weights.update(_weights(source_weights, "--source-weight"))
    with channel(target) as opened:
        answer = _call(_stub(opened).PreviewResults, request, token_metadata())
    click.echo(f"{answer.current_revision} -> {answer.draft_revision}: {answer.mover_count} of "
               f"{answer.target_count} targets move")
    if answer.missing_value_count:
        click.echo(f"  ({answer.missing_value_count} values the draft needs are missing and count as 0)")
    for row in answer.rows:
        c, d = row.current, row.draft
        mark = "*" if row.moved else " "
        click.echo(f"{mark} {row.display_name}  {c.rank_in_scope} -> {d.rank_in_scope} ({row.rank_change:+d})  "
                   f"{c.grade_display_name} -> {d.grade_display_name}  {_score(c.total)} -> {_score(d.total)}")
