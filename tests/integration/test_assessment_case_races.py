"""Concurrent inspections on PostgreSQL: the last problems of a case closed at once close the case once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

from tests.integration.case_ledger import Ledger, types

PROBLEMS = 6


@pytest.fixture
def ledger(platform) -> Ledger:
    if platform.backend != "postgres":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): no race to lose")
    return Ledger(platform)


def test_inspections_racing_on_one_case_all_land_and_close_it_once(ledger):
    case = ledger.create(*(ledger.problem(f"问题{i}") for i in range(PROBLEMS)))
    names = [p.name for p in case.problems]
    for name in names:
        ledger.request_closure(name, md=ledger.admin)
    start = threading.Barrier(PROBLEMS)

    def inspect(name: str) -> cpb.Problem:
        start.wait()
        return ledger.verify(name)

    with ThreadPoolExecutor(PROBLEMS) as pool:
        closed = list(pool.map(inspect, names))
    assert all(p.state == cpb.Problem.CLOSED for p in closed)
    after = ledger.get(case.name)
    assert after.state == cpb.Case.CLOSED and after.open_problems == 0
    assert types(ledger.p, ledger.code).count("assessment.case_closed") == 1
    assert types(ledger.p, ledger.code).count("assessment.problem_closed") == PROBLEMS


def test_problems_added_at_once_each_get_their_own_number(ledger):
    case = ledger.create()
    start = threading.Barrier(PROBLEMS)

    def add(i: int) -> cpb.Case:
        start.wait()
        return ledger.s.AddProblem(cpb.AddProblemRequest(parent=case.name, problem=ledger.problem(f"新问题{i}")),
                                   metadata=ledger.admin)

    with ThreadPoolExecutor(PROBLEMS) as pool:
        list(pool.map(add, range(PROBLEMS)))
    after = ledger.get(case.name)
    assert [p.name.rsplit("/", 1)[-1] for p in after.problems] == [str(n) for n in range(1, PROBLEMS + 2)]
    assert types(ledger.p, ledger.code).count("assessment.problem_added") == PROBLEMS


def test_two_removals_racing_for_a_case_s_last_two_problems_leave_one(ledger):
    import grpc

    case = ledger.create(ledger.problem(), ledger.problem("组织生活不规范"))
    start = threading.Barrier(2)

    def remove(name: str):
        start.wait()
        try:
            return ledger.s.RemoveProblem(cpb.RemoveProblemRequest(name=name, reason="重复登记"), metadata=ledger.admin)
        except grpc.RpcError as err:
            return err.code()

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(remove, [p.name for p in case.problems]))
    assert sum(isinstance(a, cpb.Case) for a in answers) == 1
    assert grpc.StatusCode.FAILED_PRECONDITION in answers
    assert ledger.get(case.name).open_problems == 1
