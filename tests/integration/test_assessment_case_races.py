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
