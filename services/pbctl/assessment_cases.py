"""pbctl assessment case: the rectification ledger (问题台账) from a shell.

Clients of AssessmentService's Rectification RPCs, with the token in $TOKEN (see `pbctl
dev-token`). A case is created from a YAML file:

    unit: tenants/610222/units/u-...
    title: 东村软弱涣散整顿
    supervision_days: 15          # optional, default 15
    problems:
      - description: 党员活动室长期闲置
        measures: [每月开放活动室, 建立值班制度]
        deadline: 2026-09-30
        owner: {display_name: 王某某, member: tenants/610222/members/m-..., subject: user:wang}

Problems are named tenants/CODE/cases/ID/problems/N, as `case show` prints them.
"""

from __future__ import annotations

from pathlib import Path

import click

from services.common.tenancy import tenant_name, tenant_of
from services.pbctl.assessment import assessment
from services.pbctl.org import table
from services.pbctl.settings import REQUEST_ID, TARGET, call, channel, fail, token_metadata

_FILE_KEYS = {"unit", "title", "supervision_days", "problems"}
_PROBLEM_KEYS = {"description", "measures", "deadline", "owner"}
_OWNER_KEYS = {"display_name", "member", "subject"}


@assessment.group()
def case() -> None:
    """The rectification ledger (问题台账): cases, progress, 销号."""


def _stub(opened):
    from partybuilding.assessment.v1 import assessment_service_pb2_grpc as pb_grpc

    return pb_grpc.AssessmentServiceStub(opened)


def run_rpc(target: str, method: str, request, tenant: str, request_id: str = ""):
    with channel(target, request_id) as opened:
        return call(getattr(_stub(opened), method), request, token_metadata(tenant))


def tenant_of_name(name: str, option: str) -> str:
    return tenant_of(name) or fail(f"{option}: 应为 tenants/CODE/... / must be a resource name tenants/CODE/...", 2)


def _unknown(data: dict, allowed: set[str], where: str) -> list[str]:
    return [f"{where}{key}: 未知字段 / unknown key" for key in sorted(set(data) - allowed)]


def load_case_file(file: str):
    """The Case message a YAML file states, or every unknown key and wrong shape (exit 2)."""
    import yaml
    from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

    try:
        data = yaml.safe_load(Path(file).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        fail(f"{Path(file).name}: 不是可读的 YAML / not readable YAML: {exc}", 2)
    if not isinstance(data, dict):
        fail(f"{Path(file).name}: 应为一个映射 / must be a mapping with unit, title, problems", 2)
    problems = data.get("problems") or []
    errors = _unknown(data, _FILE_KEYS, "")
    if not isinstance(problems, list) or not all(isinstance(p, dict) for p in problems):
        errors.append("problems: 应为列表 / must be a list of mappings")
        problems = []
    days = data.get("supervision_days") or 0
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 10_000:
        errors.append("supervision_days: 应为整数天数 / must be a whole number of days")
        days = 0
    message = cpb.Case(unit=str(data.get("unit") or ""), title=str(data.get("title") or ""), supervision_days=days)
    for i, p in enumerate(problems):
        owner = p.get("owner") or {}
        if not isinstance(owner, dict):
            owner = {"display_name": owner}
        errors += _unknown(p, _PROBLEM_KEYS, f"problems[{i}].") + _unknown(owner, _OWNER_KEYS, f"problems[{i}].owner.")
        measures = p.get("measures") or []
        message.problems.add(
            description=str(p.get("description") or ""),
            measures=[str(m) for m in (measures if isinstance(measures, list) else [measures])],
            # YAML reads 2026-09-30 as a date: its str() is the ISO form the server wants.
            deadline=str(p.get("deadline") or ""),
            owner=cpb.Owner(**{k: str(v) for k, v in owner.items() if k in _OWNER_KEYS}))
    if errors:
        fail("\n".join([f"{Path(file).name}: {len(errors)} problem(s) / 共{len(errors)}处问题", *errors]), 2)
    return message


def _problem_lines(p) -> list[list[str]]:
    from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

    state = cpb.Problem.State.Name(p.state) + (" 已逾期 OVERDUE" if p.overdue else "")
    return [[p.name.rsplit("/", 1)[-1], p.description.replace("\n", " "), p.deadline, p.owner.display_name, state]]


@case.command("create")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@REQUEST_ID
@TARGET
def create(file: str, request_id: str, target: str) -> None:
    """Open a case from FILE (YAML: unit, title, problems with measures, deadline, owner)."""
    from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

    message = load_case_file(file)
    tenant = tenant_of_name(message.unit, "unit")
    created = run_rpc(target, "CreateCase", cpb.CreateCaseRequest(parent=tenant_name(tenant), case=message), tenant,
                   request_id)
    click.echo(f"{created.name}\t{created.title}\t{len(created.problems)} problem(s)\t"
               f"next supervision {created.next_supervision_date}")


@case.command("show")
@click.argument("name")
@TARGET
def show(name: str, target: str) -> None:
    """Print case NAME (tenants/CODE/cases/ID): its problems, measures and every note."""
    from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

    found = run_rpc(target, "GetCase", cpb.GetCaseRequest(name=name), tenant_of_name(name, "NAME"))
    click.echo(f"{found.name}  {found.title}  [{cpb.Case.State.Name(found.state)}]")
    click.echo(f"unit {found.unit_display_name} ({found.unit})  opened by {found.created_by}  "
               f"next supervision {found.next_supervision_date or '-'}  every {found.supervision_days} days")
    for p in found.problems:
        click.echo("")
        click.echo(table(["#", "问题 problem", "时限 deadline", "责任人 owner", "状态 state"], _problem_lines(p)))
        for j, measure in enumerate(p.measures, start=1):
            click.echo(f"  措施 measure {j}: {measure}")
        for note in p.notes:
            kind = cpb.ProblemNote.Kind.Name(note.kind)
            text = note.text.replace("\n", "\n      ")  # a revision notes one change a line
            click.echo(f"  {note.create_time.ToJsonString()}  {kind}  {note.author}" + (f": {text}" if text else ""))
        click.echo(f"  etag {p.etag}")


@case.command("list")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@click.option("--under", default="", help="Only cases in this unit's subtree (tenants/CODE/units/ID).")
@click.option("--state", type=click.Choice(["OPEN", "CLOSED"], case_sensitive=False), default=None)
@click.option("--overdue", is_flag=True, help="Only cases with a problem past its deadline.")
@click.option("--limit", default=1000, show_default=True)
@TARGET
def list_(tenant: str, under: str, state: str | None, overdue: bool, limit: int, target: str) -> None:
    """List the county's cases, newest first."""
    from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

    request = cpb.ListCasesRequest(parent=tenant_name(tenant), under=under, overdue_only=overdue,
                                   state=cpb.Case.State.Value(state.upper()) if state else 0)
    found = []
    while len(found) < limit:
        request.page_size = min(limit, 1000)
        answer = run_rpc(target, "ListCases", request, tenant)
        found += answer.cases
        request.page_token = answer.next_page_token
        if not request.page_token:
            break
    rows = [[c.title, c.unit_display_name, cpb.Case.State.Name(c.state), f"{c.open_problems}/{len(c.problems)}",
             str(c.overdue_problems), c.next_supervision_date or "-", c.name] for c in found[:limit]]
    click.echo(table(["台账 title", "组织 unit", "状态 state", "未销号 open", "逾期 overdue", "督办 supervision", "case"],
                     rows))


def echo_problem(problem) -> None:
    from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

    click.echo(f"{problem.name}\t{cpb.Problem.State.Name(problem.state)}\tetag {problem.etag}")


PROBLEM_ETAG = click.option("--etag", default="", help="The problem's etag as read (case show); a stale one is refused.")


@case.command("progress")
@click.argument("problem")
@click.option("--note", required=True, help="What was done (整改进展).")
@PROBLEM_ETAG
@REQUEST_ID
@TARGET
def progress(problem: str, note: str, etag: str, request_id: str, target: str) -> None:
    """Note progress on PROBLEM (tenants/CODE/cases/ID/problems/N)."""
    from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

    request = cpb.UpdateProblemRequest(name=problem, progress_note=note, etag=etag)
    echo_problem(run_rpc(target, "UpdateProblem", request, tenant_of_name(problem, "PROBLEM"), request_id))


@case.command("request-closure")
@click.argument("problem")
@click.option("--note", default="", help="How it was rectified.")
@PROBLEM_ETAG
@REQUEST_ID
@TARGET
def request_closure(problem: str, note: str, etag: str, request_id: str, target: str) -> None:
    """Ask for 销号 of PROBLEM: it waits for the work-station chief's inspection."""
    from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

    request = cpb.RequestClosureRequest(name=problem, note=note, etag=etag)
    echo_problem(run_rpc(target, "RequestClosure", request, tenant_of_name(problem, "PROBLEM"), request_id))


@case.command("verify")
@click.argument("problem")
@click.option("--passed/--failed", required=True, help="Passed closes it (销号); failed sends it back.")
@click.option("--note", default="", help="The inspection's finding (required when failed).")
@PROBLEM_ETAG
@REQUEST_ID
@TARGET
def verify(problem: str, passed: bool, note: str, etag: str, request_id: str, target: str) -> None:
    """Inspect PROBLEM (验收): the work-station chief above the unit, or the county."""
    from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

    request = cpb.VerifyAndCloseRequest(name=problem, passed=passed, note=note, etag=etag)
    echo_problem(run_rpc(target, "VerifyAndClose", request, tenant_of_name(problem, "PROBLEM"), request_id))
