"""Concurrent writers of one round on PostgreSQL: scores racing an advance are recorded in the
stage they really landed in (never in one the round has left), two records of one negative item
leave one, and the trail has no gaps."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from partybuilding.assessment.v1 import assessment_rounds_pb2 as rpb

from tests.integration.round_county import MASS_VALUES, ORGANIZATION_VALUES, RoundCounty, values


@pytest.fixture
def rc(platform):
    if platform.backend != "postgres":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): no race to lose")
    return RoundCounty(platform)


def _race(calls) -> list:
    """Start every call at once; each result is the answer or the error's code."""
    start = threading.Barrier(len(calls))

    def one(call):
        start.wait()
        try:
            return call()
        except grpc.RpcError as err:
            return err.code()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(one, calls))


def test_scores_racing_an_advance_land_before_it_or_are_refused(platform, rc):
    made = rc.create()
    rc.score_townships(made)
    rc.advance(made)  # into 群众测评 (MASS, by the county)
    for village in rc.all_villages[:2]:
        rc.score(made, village, "MASS", MASS_VALUES)
    etag = rc.get(made).etag
    last = rc.all_villages[2]
    calls = [lambda: rc.s.AdvanceRound(rpb.AdvanceRoundRequest(name=made.name, etag=etag), metadata=rc.admin)]
    calls += [lambda code=code, value=value: rc.score(made, last, "MASS", {code: value})
              for code, value in MASS_VALUES.items()] * 3
    results = _race(calls)
    advanced = not isinstance(results[0], grpc.StatusCode)
    trail = rc.events(made)
    assert [e.sequence for e in trail] == list(range(1, len(trail) + 1))
    left_mass = [i for i, e in enumerate(trail) if e.kind == rpb.RoundEvent.ROUND_ADVANCED and e.stage == "MASS"]
    after = trail[left_mass[0]:] if left_mass else []
    # None landed in 群众测评 once it was left (the county's later ones are review adjustments).
    assert all(e.stage == "REVIEW" for e in after[1:])
    if advanced:
        assert rc.get(made).stage == "REVIEW"
        assert all(r == grpc.StatusCode.FAILED_PRECONDITION or not isinstance(r, grpc.StatusCode)
                   for r in results[1:])
    else:
        assert results[0] == grpc.StatusCode.FAILED_PRECONDITION  # the last village was not complete yet


def test_two_records_of_one_negative_item_leave_one(platform, rc):
    made = rc.create()
    clerk = rc.clerk(rc.town)
    target = rc.target(made, rc.villages[0])
    request = rpb.RecordNegativeItemRequest(target=target, code="CORRUPTION", evidence="处分决定书")
    results = _race([lambda: rc.s.RecordNegativeItem(request, metadata=clerk) for _ in range(6)])
    assert sum(not isinstance(r, grpc.StatusCode) for r in results) == 1
    assert {r for r in results if isinstance(r, grpc.StatusCode)} == {grpc.StatusCode.ALREADY_EXISTS}
    listed = next(x for x in rc.targets(made) if x.name == target)
    assert [n.code for n in listed.negative_items] == ["CORRUPTION"]
    rc.score(made, rc.villages[0], "ORGANIZATION", ORGANIZATION_VALUES, clerk)
    assert rc.s.SubmitScores(rpb.SubmitScoresRequest(target=target, source="ORGANIZATION",
                                                     values=values({"MEETINGS": 1})), metadata=clerk).name == target
