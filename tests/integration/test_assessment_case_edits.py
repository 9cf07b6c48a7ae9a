"""Changing an open case's plan through gRPC: a problem added, a deadline moved (延期), measures or
the owner changed, a problem removed (撤销); each noted with who, before → after and why, each an
event; who may; what is refused."""

from __future__ import annotations

import datetime as dt

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

from services.assessment.service_layer.case_commands import SweepCases
from services.assessment.service_layer.case_sweep import sweep_county
from services.common.auth import Principal
from tests.helpers import expect
from tests.integration.case_ledger import Ledger, outbox, types

Code = grpc.StatusCode


@pytest.fixture
def ledger(platform) -> Ledger:
    return Ledger(platform)


def _add(ledger: Ledger, case: str, problem: cpb.Problem, md=None, **fields) -> cpb.Case:
    return ledger.s.AddProblem(cpb.AddProblemRequest(parent=case, problem=problem, **fields),
                               metadata=md or ledger.admin)


def _revise(ledger: Ledger, name: str, paths: list[str], why: str = "汛期施工受阻", md=None, etag: str = "",
            **problem) -> cpb.Problem:
    return ledger.s.ReviseProblem(cpb.ReviseProblemRequest(
        name=name, problem=cpb.Problem(**problem), update_mask=FieldMask(paths=paths), reason=why, etag=etag),
        metadata=md or ledger.admin)


def _sweep(ledger: Ledger, offset: int) -> int:
    """The daily sweep as of `offset` days from today; how many problems it announced overdue."""
    uows = ledger.p.runtime("assessment").uow_factory
    return sweep_county(SweepCases(ledger.code, ledger.today + dt.timedelta(days=offset)), uows,
                        Principal.operator("test")).overdue


def _remove(ledger: Ledger, name: str, why: str = "与第1项重复登记", md=None, **fields) -> cpb.Case:
    return ledger.s.RemoveProblem(cpb.RemoveProblemRequest(name=name, reason=why, **fields),
                                  metadata=md or ledger.admin)


def test_a_problem_added_to_an_open_case_gets_the_next_number_and_a_note(ledger):
    case = ledger.create()
    after = _add(ledger, case.name, ledger.problem("发展党员不规范", member=ledger.member.name, owner=""),
                 note="县委督查组发现", etag=case.etag, request_id="rq-add-1")
    again = _add(ledger, case.name, ledger.problem("发展党员不规范", member=ledger.member.name, owner=""),
                 note="县委督查组发现", etag=case.etag, request_id="rq-add-1")
    assert [p.name for p in after.problems] == [f"{case.name}/problems/1", f"{case.name}/problems/2"]
    added = after.problems[1]
    assert added.owner.display_name == "王书记" and added.deadline == ledger.day(30)
    assert [(n.kind, n.text, n.author) for n in added.notes] == [(cpb.ProblemNote.ADDED, "县委督查组发现", "user:admin")]
    assert after.open_problems == 2 and after.etag != case.etag
    assert len(again.problems) == 2, "a retried request id adds once"
    expect(Code.ABORTED, _add, ledger, case.name, ledger.problem(), etag=case.etag)
    assert types(ledger.p, ledger.code) == ["assessment.case_opened", "assessment.problem_added"]


def test_a_deadline_moved_and_the_owner_changed_are_noted_before_and_after(ledger):
    problem = ledger.create().problems[0]
    moved = _revise(ledger, problem.name, ["deadline", "owner"], deadline=ledger.day(60),
                    owner=cpb.Owner(display_name="李主任", subject="user:li"), etag=problem.etag)
    assert moved.deadline == ledger.day(60) and moved.owner.display_name == "李主任"
    assert moved.owner.subject == "user:li" and moved.etag != problem.etag
    note = moved.notes[-1]
    assert note.kind == cpb.ProblemNote.REVISED and note.author == "user:admin"
    assert note.text == (f"整改时限：{ledger.day(30)} → {ledger.day(60)}\n责任人：王书记 → 李主任（user:li）\n"
                         "原因：汛期施工受阻")
    kind, payload = outbox(ledger.p, ledger.code)[-1]
    assert kind == "assessment.problem_revised" and payload["changed"] == ["deadline", "owner"]
    assert payload["reason"] == "汛期施工受阻" and payload["problem"]["deadline"] == ledger.day(60)
    measures = _revise(ledger, problem.name, ["measures"], measures=["每周开放活动室"], why="原措施不具体")
    assert list(measures.measures) == ["每周开放活动室"] and measures.deadline == ledger.day(60)
    expect(Code.ABORTED, _revise, ledger, problem.name, ["deadline"], deadline=ledger.day(90), etag=problem.etag)


def test_a_problem_given_a_new_deadline_is_announced_overdue_again_when_that_passes(ledger):
    case = ledger.create(ledger.problem(deadline=3))
    problem = case.problems[0].name
    assert _sweep(ledger, 4) == 1
    extended = _revise(ledger, problem, ["deadline"], deadline=ledger.day(10))
    assert extended.deadline == ledger.day(10) and not extended.overdue
    assert _sweep(ledger, 5) == 0 and _sweep(ledger, 11) == 1


def test_a_revision_is_refused_naming_the_field_and_nothing_is_written(ledger):
    problem = ledger.create().problems[0].name
    expect(Code.INVALID_ARGUMENT, _revise, ledger, problem, ["deadline"], deadline=ledger.day(-1),
           field="problem.deadline")
    expect(Code.INVALID_ARGUMENT, _revise, ledger, problem, ["deadline"], deadline="明天", field="problem.deadline")
    expect(Code.INVALID_ARGUMENT, _revise, ledger, problem, ["measures"], measures=[], field="problem.measures")
    expect(Code.INVALID_ARGUMENT, _revise, ledger, problem, ["owner"], owner=cpb.Owner(display_name="王\u202e"),
           field="problem.owner.display_name")
    expect(Code.INVALID_ARGUMENT, _revise, ledger, problem, ["owner"],
           owner=cpb.Owner(member=f"{ledger.parent}/members/m-nobody"), field="problem.owner.member")
    expect(Code.INVALID_ARGUMENT, _revise, ledger, problem, ["deadline"], deadline=ledger.day(40), why="",
           field="reason")
    expect(Code.INVALID_ARGUMENT, _revise, ledger, problem, ["state"], field="update_mask")
    expect(Code.INVALID_ARGUMENT, _revise, ledger, problem, [], field="update_mask")
    expect(Code.INVALID_ARGUMENT, _revise, ledger, problem, ["deadline"], deadline=ledger.day(30), field="problem",
           reason="NOTHING_CHANGES")
    assert ledger.get(problem.rsplit("/problems/", 1)[0]).problems[0].notes == []
    assert types(ledger.p, ledger.code) == ["assessment.case_opened"]


def test_a_removed_problem_stays_on_the_case_and_stops_counting(ledger):
    case = ledger.create(ledger.problem(), ledger.problem("重复登记的问题"))
    first, second = (p.name for p in case.problems)
    after = _remove(ledger, second, etag=case.problems[1].etag)
    removed = after.problems[1]
    assert removed.state == cpb.Problem.REMOVED and removed.notes[-1].text == "撤销原因：与第1项重复登记"
    assert after.open_problems == 1 and after.state == cpb.Case.OPEN
    expect(Code.FAILED_PRECONDITION, ledger.progress, second, reason="PROBLEM_REMOVED")
    expect(Code.FAILED_PRECONDITION, _revise, ledger, second, ["deadline"], deadline=ledger.day(9),
           reason="PROBLEM_REMOVED")
    expect(Code.FAILED_PRECONDITION, _remove, ledger, first, reason="LAST_PROBLEM")
    ledger.request_closure(first)
    ledger.verify(first)
    closed = ledger.get(case.name)
    assert closed.state == cpb.Case.CLOSED, "the last problem on the ledger closed closes the case"
    expect(Code.FAILED_PRECONDITION, _add, ledger, case.name, ledger.problem(), reason="CASE_CLOSED")
    expect(Code.FAILED_PRECONDITION, _revise, ledger, first, ["deadline"], deadline=ledger.day(9),
           reason="PROBLEM_CLOSED")
    assert types(ledger.p, ledger.code)[:2] == ["assessment.case_opened", "assessment.problem_removed"]


def test_removing_the_last_open_problem_beside_closed_ones_closes_the_case(ledger):
    case = ledger.create(ledger.problem(), ledger.problem("组织生活不规范"))
    first, second = (p.name for p in case.problems)
    ledger.request_closure(first)
    ledger.verify(first)
    expect(Code.INVALID_ARGUMENT, _remove, ledger, second, why="", field="reason")
    after = _remove(ledger, second)
    assert after.state == cpb.Case.CLOSED and after.next_supervision_date == ""
    assert types(ledger.p, ledger.code)[-2:] == ["assessment.problem_removed", "assessment.case_closed"]


def test_only_the_county_changes_a_plan(ledger):
    case = ledger.create()
    problem = case.problems[0].name
    for md in (ledger.chief, ledger.village_clerk, ledger.city):
        expect(Code.PERMISSION_DENIED, _add, ledger, case.name, ledger.problem(), md=md)
        expect(Code.PERMISSION_DENIED, _revise, ledger, problem, ["deadline"], deadline=ledger.day(40), md=md)
        expect(Code.PERMISSION_DENIED, _remove, ledger, problem, md=md)
    stranger = ledger.p.as_("county_admin", ["610999"])
    expect(Code.PERMISSION_DENIED, _add, ledger, case.name, ledger.problem(), md=stranger)
    expect(Code.PERMISSION_DENIED, _revise, ledger, problem, ["owner"],
           owner=cpb.Owner(display_name="x", member="tenants/610999/members/m-1"))
    expect(Code.NOT_FOUND, _add, ledger, f"{ledger.parent}/cases/c-nobody", ledger.problem())
    expect(Code.NOT_FOUND, _remove, ledger, f"{case.name}/problems/9")
    assert types(ledger.p, ledger.code) == ["assessment.case_opened"]
