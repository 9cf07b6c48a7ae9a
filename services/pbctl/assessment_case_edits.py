"""pbctl assessment case add-problem / revise / remove-problem: changing an open case's plan
(the county's), each with its reason in the problem's history.

    pbctl assessment case add-problem tenants/610222/cases/c-... --description 发展党员不规范 \\
        --measure 重新履行程序 --deadline 2026-12-31 --owner 王书记 --note 督查发现
    pbctl assessment case revise tenants/610222/cases/c-.../problems/1 --deadline 2027-01-31 \\
        --reason 汛期施工受阻 --etag '"3"'
    pbctl assessment case remove-problem tenants/610222/cases/c-.../problems/2 --reason 重复登记
"""

from __future__ import annotations

import click

from services.pbctl.assessment_cases import (
    PROBLEM_ETAG,
    case,
    echo_problem,
    run_rpc,
    tenant_of_name,
)
from services.pbctl.settings import REQUEST_ID, TARGET

_OWNER = (click.option("--owner", default="", help="The owner's name (责任人) as the ledger writes it."),
          click.option("--owner-member", default="", help="The owner as a member: tenants/CODE/members/ID."),
          click.option("--owner-subject", default="", help="The account the owner signs in with (a token subject)."))


def _owner_options(command):
    for option in reversed(_OWNER):
        command = option(command)
    return command


def _owner(name: str, member: str, subject: str):
    from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

    return cpb.Owner(display_name=name, member=member, subject=subject)


def _case_line(found) -> None:
    click.echo(f"{found.name}\t{found.open_problems}/{len(found.problems)} open\tetag {found.etag}")


@case.command("add-problem")
@click.argument("case_name", metavar="CASE")
@click.option("--description", required=True, help="The problem (问题).")
@click.option("--measure", "measures", multiple=True, required=True, help="A measure (整改措施). Repeatable.")
@click.option("--deadline", required=True, help="YYYY-MM-DD (整改时限), not before today.")
@_owner_options
@click.option("--note", default="", help="Why it is added (e.g. 督查发现).")
@click.option("--etag", default="", help="The case's etag as read (case show); a stale one is refused.")
@REQUEST_ID
@TARGET
def add_problem(case_name: str, description: str, measures: tuple[str, ...], deadline: str, owner: str,
                owner_member: str, owner_subject: str, note: str, etag: str, request_id: str, target: str) -> None:
    """Add a problem to the open case CASE (tenants/CODE/cases/ID)."""
    from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

    problem = cpb.Problem(description=description, measures=list(measures), deadline=deadline,
                          owner=_owner(owner, owner_member, owner_subject))
    request = cpb.AddProblemRequest(parent=case_name, problem=problem, note=note, etag=etag)
    _case_line(run_rpc(target, "AddProblem", request, tenant_of_name(case_name, "CASE"), request_id))


@case.command("revise")
@click.argument("problem")
@click.option("--deadline", default=None, help="A new deadline YYYY-MM-DD (延期).")
@click.option("--measure", "measures", multiple=True, help="The new measures, replacing the old. Repeatable.")
@click.option("--description", default=None, help="A new description.")
@_owner_options
@click.option("--reason", required=True, help="Why (延期理由), noted with each change's before and after.")
@PROBLEM_ETAG
@REQUEST_ID
@TARGET
def revise(problem: str, deadline: str | None, measures: tuple[str, ...], description: str | None, owner: str,
           owner_member: str, owner_subject: str, reason: str, etag: str, request_id: str, target: str) -> None:
    """Change PROBLEM's deadline, measures, owner or description; only the options given change."""
    from google.protobuf.field_mask_pb2 import FieldMask
    from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

    paths, message = [], cpb.Problem()
    if deadline is not None:
        paths.append("deadline")
        message.deadline = deadline
    if measures:
        paths.append("measures")
        message.measures.extend(measures)
    if description is not None:
        paths.append("description")
        message.description = description
    if owner or owner_member or owner_subject:
        paths.append("owner")
        message.owner.CopyFrom(_owner(owner, owner_member, owner_subject))
    request = cpb.ReviseProblemRequest(name=problem, problem=message, update_mask=FieldMask(paths=paths),
                                       reason=reason, etag=etag)
    echo_problem(run_rpc(target, "ReviseProblem", request, tenant_of_name(problem, "PROBLEM"), request_id))


@case.command("remove-problem")
@click.argument("problem")
@click.option("--reason", required=True, help="Why it comes off the ledger (e.g. 重复登记).")
@PROBLEM_ETAG
@REQUEST_ID
@TARGET
def remove_problem(problem: str, reason: str, etag: str, request_id: str, target: str) -> None:
    """Take PROBLEM off the ledger before closure (撤销); it stays on the case with its history."""
    from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

    request = cpb.RemoveProblemRequest(name=problem, reason=reason, etag=etag)
    _case_line(run_rpc(target, "RemoveProblem", request, tenant_of_name(problem, "PROBLEM"), request_id))
