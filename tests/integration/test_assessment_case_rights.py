"""The clerk's rights over the rectification ledger (policy.CLERK, Rectification rows), cell by cell.

Each RPC is called by the chief of the work station of one township (a clerk whose unit is the
station: the one clerk who may also close) on a case inside it and on one in the other township:
SUBTREE_* answers the inside one only, NEVER neither.
"""

from __future__ import annotations

import grpc
import pytest

from services.assessment.entrypoints.policy import CLERK
from services.common.policy import Clerk
from tests.helpers import expect
from tests.integration.case_ledger import Ledger

CASE_RPCS = ("CreateCase", "GetCase", "ListCases", "UpdateProblem", "RequestClosure", "VerifyAndClose")


@pytest.fixture(scope="module")
def ledger(platform) -> Ledger:
    return Ledger(platform)


def _call(ledger: Ledger, rpc: str, side: str):
    """One request of `rpc` by the inside station's chief about a fresh case on `side`."""
    at = getattr(ledger, side)
    case = ledger.create(unit=at.village.name)
    problem = case.problems[0].name
    if rpc == "VerifyAndClose":
        ledger.request_closure(problem, md=ledger.admin)
    md = ledger.chief
    calls = {
        "CreateCase": lambda: ledger.create(unit=at.village.name, md=md),
        "GetCase": lambda: ledger.get(case.name, md=md),
        "ListCases": lambda: ledger.list(md=md, under=at.station.name),
        "UpdateProblem": lambda: ledger.progress(problem, md=md),
        "RequestClosure": lambda: ledger.request_closure(problem, md=md),
        "VerifyAndClose": lambda: ledger.verify(problem, md=md),
    }
    return calls[rpc]()


def test_the_table_has_a_row_for_every_rectification_rpc():
    assert {rpc: CLERK[rpc] for rpc in CASE_RPCS} == {
        "CreateCase": Clerk.NEVER, "GetCase": Clerk.SUBTREE_READ, "ListCases": Clerk.SUBTREE_READ,
        "UpdateProblem": Clerk.SUBTREE_WRITE, "RequestClosure": Clerk.SUBTREE_WRITE,
        "VerifyAndClose": Clerk.SUBTREE_WRITE}


@pytest.mark.parametrize("rpc", CASE_RPCS)
def test_each_cell_of_the_clerk_table(ledger, rpc):
    right = CLERK[rpc]
    if right is Clerk.NEVER:
        for side in ("inside", "outside"):
            expect(grpc.StatusCode.PERMISSION_DENIED, _call, ledger, rpc, side, reason="METHOD_NOT_ALLOWED")
        return
    answer = _call(ledger, rpc, "inside")
    assert answer.ByteSize() > 0
    expect(grpc.StatusCode.PERMISSION_DENIED, _call, ledger, rpc, "outside", reason="OUTSIDE_CLERK_SUBTREE")
