"""The rectification ledger (问题台账) through gRPC: open a case, report progress, ask for 销号,
inspect; who may do which; what is refused and why."""

from __future__ import annotations

import grpc
import pytest
from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

from tests.helpers import expect
from tests.integration.case_ledger import Ledger, as_if_opened_days_ago, outbox, types

Code = grpc.StatusCode


@pytest.fixture
def ledger(platform) -> Ledger:
    return Ledger(platform)


def test_a_county_opens_a_case_that_reads_back_whole(ledger):
    created = ledger.create(ledger.problem(), ledger.problem("财务公开不及时", member=ledger.member.name, owner=""))
    assert created.name.startswith(f"{ledger.parent}/cases/c-")
    assert created.state == cpb.Case.OPEN and created.unit == ledger.inside.village.name
    assert created.unit_display_name == "彭镇村0" and created.created_by == "user:admin"
    assert created.supervision_days == 15 and created.next_supervision_date == ledger.day(15)
    first, second = created.problems
    assert first.name == f"{created.name}/problems/1" and second.name == f"{created.name}/problems/2"
    assert list(first.measures) == ["每月开放活动室", "建立值班制度"] and first.deadline == ledger.day(30)
    assert second.owner.display_name == "王书记", "an owner named by member takes the member's name"
    assert second.owner.member == ledger.member.name
    assert ledger.get(created.name) == created
    [(kind, payload)] = outbox(ledger.p, ledger.code)
    assert kind == "assessment.case_opened" and payload["case"]["name"] == created.name
    assert len(payload["case"]["problems"]) == 2


def test_a_retry_of_the_request_id_answers_the_first_case_once(ledger):
    first = ledger.create(request_id="rq-case-1")
    again = ledger.create(request_id="rq-case-1")
    assert again.name == first.name
    assert types(ledger.p, ledger.code) == ["assessment.case_opened"]
    expect(Code.INVALID_ARGUMENT, ledger.create, title="另一个台账", request_id="rq-case-1",
           field="request_id", reason="REQUEST_ID_REUSED")


def test_bad_input_is_refused_naming_each_field(ledger):
    d = expect(Code.INVALID_ARGUMENT, ledger.create,
               ledger.problem(deadline=-1), ledger.problem(measures=()), ledger.problem("问题\x07描述"),
               ledger.problem(measures=("措施\u202e",), owner=" "), title="")
    assert set(d.fields) == {"case.title", "case.problems[0].deadline", "case.problems[1].measures",
                             "case.problems[2].description", "case.problems[3].measures[0]",
                             "case.problems[3].owner.display_name"}
    assert "今天" in d.zh
    expect(Code.INVALID_ARGUMENT, ledger.s.CreateCase, cpb.CreateCaseRequest(parent=ledger.parent, case=cpb.Case(
        unit=ledger.inside.village.name, title="t", problems=[cpb.Problem(
            description="d", measures=["m"], deadline="2026-13-01", owner=cpb.Owner(display_name="o"))])),
        metadata=ledger.admin, field="case.problems[0].deadline")
    expect(Code.INVALID_ARGUMENT, ledger.create, problems=[], field="case.problems")
    expect(Code.INVALID_ARGUMENT, ledger.create, supervision_days=365, field="case.supervision_days")
    expect(Code.INVALID_ARGUMENT, ledger.create, unit=f"{ledger.parent}/units/u-nobody", field="case.unit",
           reason="UNIT_NOT_FOUND")
    expect(Code.INVALID_ARGUMENT, ledger.create, ledger.problem(member=f"{ledger.parent}/members/m-nobody"),
           field="case.problems[0].owner.member")
    expect(Code.INVALID_ARGUMENT, ledger.s.CreateCase, cpb.CreateCaseRequest(parent=ledger.parent, case=cpb.Case(
        title="t", problems=[ledger.problem()])), metadata=ledger.admin, field="case.unit")
    assert types(ledger.p, ledger.code) == [], "nothing half-written"


def test_a_problem_is_closed_by_the_station_chief_and_the_case_with_its_last_problem(ledger):
    case = ledger.create(ledger.problem(), ledger.problem("组织生活不规范"))
    first, second = (p.name for p in case.problems)
    noted = ledger.progress(first, "活动室已每周开放")
    assert noted.state == cpb.Problem.OPEN and [n.text for n in noted.notes] == ["活动室已每周开放"]
    assert ledger.request_closure(first, note="整改完成").state == cpb.Problem.CLOSURE_REQUESTED
    closed = ledger.verify(first, note="现场查看属实")
    assert closed.state == cpb.Problem.CLOSED and closed.closed_by == "user:chief"
    assert [n.kind for n in closed.notes] == [cpb.ProblemNote.PROGRESS, cpb.ProblemNote.CLOSURE_REQUESTED,
                                              cpb.ProblemNote.VERIFICATION_PASSED]
    assert ledger.get(case.name).state == cpb.Case.OPEN
    ledger.request_closure(second)
    ledger.verify(second, md=ledger.admin)
    after = ledger.get(case.name)
    assert after.state == cpb.Case.CLOSED and after.open_problems == 0 and after.next_supervision_date == ""
    assert types(ledger.p, ledger.code) == [
        "assessment.case_opened", "assessment.problem_closure_requested", "assessment.problem_closed",
        "assessment.problem_closure_requested", "assessment.problem_closed", "assessment.case_closed"]


def test_a_failed_inspection_sends_the_problem_back_saying_why(ledger):
    problem = ledger.create().problems[0].name
    ledger.request_closure(problem)
    expect(Code.INVALID_ARGUMENT, ledger.verify, problem, passed=False, field="note")
    reopened = ledger.verify(problem, passed=False, note="值班制度未上墙")
    assert reopened.state == cpb.Problem.OPEN and reopened.notes[-1].text == "值班制度未上墙"
    assert types(ledger.p, ledger.code)[-1] == "assessment.problem_reopened"
    expect(Code.FAILED_PRECONDITION, ledger.verify, problem, reason="PROBLEM_OPEN")


def test_the_owner_cannot_close_their_own_problem(ledger):
    problem = ledger.create(ledger.problem(subject="user:chief")).problems[0].name
    ledger.request_closure(problem)
    expect(Code.PERMISSION_DENIED, ledger.verify, problem, reason="OWNER_CANNOT_VERIFY")
    member_owned = ledger.create(ledger.problem(member=ledger.member.name)).problems[0].name
    ledger.request_closure(member_owned)
    as_member = ledger.p.as_("county_admin", [ledger.code], subject=ledger.member.name)
    expect(Code.PERMISSION_DENIED, ledger.verify, member_owned, md=as_member, reason="OWNER_CANNOT_VERIFY")
    assert ledger.verify(problem, md=ledger.admin).state == cpb.Problem.CLOSED


def test_whoever_requested_the_closure_does_not_inspect_it(ledger):
    problem = ledger.create().problems[0].name
    ledger.request_closure(problem, md=ledger.admin)
    expect(Code.PERMISSION_DENIED, ledger.verify, problem, md=ledger.admin, reason="VERIFIER_REQUESTED_CLOSURE")
    assert ledger.verify(problem, md=ledger.admin2).state == cpb.Problem.CLOSED


def test_only_the_work_station_above_the_unit_closes_among_clerks(ledger):
    problem = ledger.create().problems[0].name
    ledger.request_closure(problem)
    for clerk in (ledger.town_clerk, ledger.village_clerk):
        expect(Code.PERMISSION_DENIED, ledger.verify, problem, md=clerk, reason="NOT_THE_STATION_CHIEF")
    expect(Code.PERMISSION_DENIED, ledger.verify, problem, md=ledger.other_chief, reason="OUTSIDE_CLERK_SUBTREE")
    station_case = ledger.create(unit=ledger.inside.station.name).problems[0].name
    ledger.request_closure(station_case, md=ledger.admin)
    expect(Code.PERMISSION_DENIED, ledger.verify, station_case, reason="NOT_THE_STATION_CHIEF")
    assert ledger.verify(problem).state == cpb.Problem.CLOSED


def test_a_stale_etag_is_refused_and_changes_nothing(ledger):
    problem = ledger.create().problems[0]
    ledger.progress(problem.name, etag=problem.etag)
    expect(Code.ABORTED, ledger.progress, problem.name, "再次进展", etag=problem.etag, reason="ETAG_MISMATCH")
    expect(Code.ABORTED, ledger.request_closure, problem.name, etag=problem.etag)
    assert len(ledger.get(problem.name.rsplit("/problems/", 1)[0]).problems[0].notes) == 1


def test_a_retried_move_is_applied_once(ledger):
    problem = ledger.create().problems[0].name
    first = ledger.progress(problem, request_id="rq-progress-1")
    again = ledger.progress(problem, request_id="rq-progress-1")
    assert again == first and len(again.notes) == 1
    expect(Code.INVALID_ARGUMENT, ledger.progress, problem, "另一条进展", request_id="rq-progress-1",
           reason="REQUEST_ID_REUSED")
    ledger.request_closure(problem, request_id="rq-close-1")
    ledger.request_closure(problem, request_id="rq-close-1")
    assert types(ledger.p, ledger.code).count("assessment.problem_closure_requested") == 1


def test_moves_out_of_turn_are_refused(ledger):
    problem = ledger.create().problems[0].name
    expect(Code.FAILED_PRECONDITION, ledger.verify, problem, reason="PROBLEM_OPEN")
    ledger.request_closure(problem)
    expect(Code.FAILED_PRECONDITION, ledger.request_closure, problem, reason="PROBLEM_CLOSURE_REQUESTED")
    ledger.verify(problem)
    expect(Code.FAILED_PRECONDITION, ledger.progress, problem, reason="PROBLEM_CLOSED")
    expect(Code.INVALID_ARGUMENT, ledger.progress, problem, "", field="progress_note")
    expect(Code.INVALID_ARGUMENT, ledger.progress, problem, "进展\x1b[2J", field="progress_note")


def test_names_that_are_wrong_or_missing(ledger):
    case = ledger.create()
    expect(Code.INVALID_ARGUMENT, ledger.progress, f"{case.name}/problems/one", field="name")
    expect(Code.INVALID_ARGUMENT, ledger.progress, f"{case.name}/problems/０１", field="name")
    expect(Code.INVALID_ARGUMENT, ledger.progress, f"{case.name}/problems/0", field="name")
    assert ledger.progress(f"{case.name}/problems/１").name == case.problems[0].name, "full-width digits fold"
    expect(Code.NOT_FOUND, ledger.progress, f"{case.name}/problems/9")
    expect(Code.NOT_FOUND, ledger.get, f"{ledger.parent}/cases/c-nothing")
    expect(Code.INVALID_ARGUMENT, ledger.get, f"{ledger.parent}/rounds/r-1", field="name")


def test_listing_by_subtree_state_and_overdue_newest_first_in_pages(ledger):
    a = ledger.create(title="甲")
    b = ledger.create(title="乙", unit=ledger.outside.village.name)
    c = ledger.create(title="丙", unit=ledger.inside.village2.name)
    done = c.problems[0].name
    ledger.request_closure(done, md=ledger.admin)
    ledger.verify(done)
    assert [x.title for x in ledger.list().cases] == ["丙", "乙", "甲"]
    assert [x.title for x in ledger.list(under=ledger.inside.town.name).cases] == ["丙", "甲"]
    assert [x.title for x in ledger.list(state=cpb.Case.OPEN).cases] == ["乙", "甲"]
    assert [x.title for x in ledger.list(state=cpb.Case.CLOSED).cases] == ["丙"]
    assert ledger.list(overdue_only=True).cases == [], "nothing is past its deadline yet"
    as_if_opened_days_ago(ledger, a.name, 31)
    [overdue] = ledger.list(overdue_only=True).cases
    assert overdue.name == a.name and overdue.overdue_problems == 1 and overdue.problems[0].overdue
    assert all(not p.notes for x in ledger.list().cases for p in x.problems), "a listing leaves notes out"
    page = ledger.list(page_size=2)
    rest = ledger.list(page_size=2, page_token=page.next_page_token)
    assert [x.name for x in [*page.cases, *rest.cases]] == [c.name, b.name, a.name] and not rest.next_page_token
    expect(Code.INVALID_ARGUMENT, ledger.list, page_size=2, page_token=page.next_page_token, state=cpb.Case.OPEN,
           field="page_token")
    # A clerk lists their own subtree, and nothing outside it.
    assert [x.title for x in ledger.list(md=ledger.chief).cases] == ["丙", "甲"]
    expect(Code.PERMISSION_DENIED, ledger.list, md=ledger.chief, under=ledger.outside.town.name,
           reason="OUTSIDE_CLERK_SUBTREE")


def test_a_city_reads_its_counties_cases_and_writes_none(ledger):
    case = ledger.create()
    assert ledger.get(case.name, md=ledger.city).name == case.name
    expect(Code.PERMISSION_DENIED, ledger.create, md=ledger.city)
    expect(Code.PERMISSION_DENIED, ledger.progress, case.problems[0].name, md=ledger.city)


def test_another_countys_caller_is_refused_on_every_rpc(ledger, platform):
    case = ledger.create()
    problem = case.problems[0].name
    stranger = platform.as_("county_admin", [platform.new_county()], subject="user:stranger")
    s = ledger.s
    calls = {
        "CreateCase": lambda: ledger.create(md=stranger),
        "GetCase": lambda: ledger.get(case.name, md=stranger),
        "ListCases": lambda: ledger.list(md=stranger),
        "UpdateProblem": lambda: ledger.progress(problem, md=stranger),
        "RequestClosure": lambda: ledger.request_closure(problem, md=stranger),
        "VerifyAndClose": lambda: ledger.verify(problem, md=stranger),
    }
    for rpc, call in calls.items():
        d = expect(Code.PERMISSION_DENIED, call)
        assert d.reason == "TENANT_ACCESS_DENIED", rpc
    # Another county's unit named inside this county's request: refused before validation.
    other = platform.as_("county_admin", [ledger.code], subject="user:admin")
    foreign_unit = f"tenants/{platform.new_county()}/units/u-x"
    expect(Code.PERMISSION_DENIED, s.CreateCase, cpb.CreateCaseRequest(parent=ledger.parent, case=cpb.Case(
        unit=foreign_unit, title="t", problems=[ledger.problem()])), metadata=other, reason="TENANT_ACCESS_DENIED")
    assert types(ledger.p, ledger.code) == ["assessment.case_opened"]



def test_a_deadline_of_today_is_accepted_and_not_yet_overdue(ledger):
    problem = ledger.create(ledger.problem(deadline=0)).problems[0]
    assert problem.deadline == ledger.day(0) and not problem.overdue
