"""Races on PostgreSQL: a unique violation is never INTERNAL (issue 6, item 7)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from partybuilding.organization.v1 import organization_service_pb2 as pb

from tests.helpers import County, id_card

RACERS = 8


def _race(call, requests, md) -> list:
    """Start every call at once; each result is the answer or the status code."""
    start = threading.Barrier(len(requests))

    def one(request):
        start.wait()
        try:
            return call(request, metadata=md)
        except grpc.RpcError as err:
            return err.code()

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(one, requests))


@pytest.fixture
def county(platform):
    if platform.backend != "postgres":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): no race to lose")
    return County(platform)


def test_concurrent_retries_of_one_request_all_answer_the_first_result(platform, county):
    town = county.unit(pb.TOWNSHIP, "彭镇")
    request = pb.CreateMemberRequest(parent=county.parent, request_id="race-1", member=pb.Member(
        display_name="张三", unit=town.name, id_card_number=id_card()))
    results = _race(platform.stub.CreateMember, [request] * RACERS, county.admin)
    assert all(isinstance(r, pb.Member) for r in results), results
    assert len({r.name for r in results}) == 1
    assert len(county.members()) == 1


def test_concurrent_creates_of_one_id_number_answer_already_exists(platform, county):
    town = county.unit(pb.TOWNSHIP, "彭镇")
    number = id_card()
    requests = [pb.CreateMemberRequest(parent=county.parent, request_id=f"race-id-{i}", member=pb.Member(
        display_name="张三", unit=town.name, id_card_number=number)) for i in range(RACERS)]
    results = _race(platform.stub.CreateMember, requests, county.admin)
    assert sum(isinstance(r, pb.Member) for r in results) == 1, results
    assert [r for r in results if not isinstance(r, pb.Member)] == [grpc.StatusCode.ALREADY_EXISTS] * (RACERS - 1)
