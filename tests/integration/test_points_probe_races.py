"""Races a reviewer tries on PostgreSQL's concurrent writers: one entry reversed by eight clients,
one request_id sent eight times at once, one pending entry approved by eight admins, eight
deductions crossing a threshold together. Each ends with one result, the others refused with
the right code (never INTERNAL), and the chain verifying."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from partybuilding.points.v1 import points_ledger_pb2 as lpb

from tests.helpers import details
from tests.integration.ledger_setup import LedgerCounty, ago

OK = grpc.StatusCode
CLIENTS = 8


@pytest.fixture
def county(platform) -> LedgerCounty:
    if platform.backend != "postgres":
        pytest.skip("the race needs PostgreSQL's concurrent writers (SQLite has one writer)")
    return LedgerCounty(platform)


def _all_at_once(call, count: int = CLIENTS) -> list:
    """Each client's answer: the response, or (code, reason) of its refusal."""
    def one(i: int):
        try:
            return call(i)
        except grpc.RpcError as err:
            return err.code(), details(err).reason
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def test_one_entry_reversed_by_eight_clients_at_once_is_reversed_once(county):
    c = county
    m = c.members[0].name
    entry = c.record(m, "LATE")
    answers = _all_at_once(lambda i: c.reverse(entry.name, request_id=str(uuid.uuid4())))
    done = [a for a in answers if isinstance(a, lpb.Entry)]
    assert len(done) == 1 and done[0].reverses == entry.name
    assert sorted(set(a for a in answers if not isinstance(a, lpb.Entry))) == [
        (OK.FAILED_PRECONDITION, "ALREADY_REVERSED")], answers
    assert c.balance(m).balance == 12 and c.entry_count() == 2 and c.verify().ok


def test_one_request_id_sent_eight_times_at_once_records_once(county):
    c = county
    m = c.members[1].name
    when = ago(hours=1)  # one body, sent eight times
    answers = _all_at_once(lambda i: c.record(m, "LATE", request_id="same-attempt", occurred_time=when))
    names = {a.name if isinstance(a, lpb.Entry) else a for a in answers}
    assert len(names) == 1 and all(isinstance(a, lpb.Entry) for a in answers), answers
    assert c.balance(m).balance == 9 and c.entry_count() == 1 and c.verify().ok


def test_one_pending_entry_approved_by_eight_admins_at_once_is_decided_once(county, platform):
    c = county
    m = c.members[2].name
    pending = c.record(m, "REVIEW", md=c.clerk)
    admins = [platform.as_("county_admin", [c.code], subject=f"admin-{i}") for i in range(CLIENTS)]
    answers = _all_at_once(lambda i: c.approve(pending.name, md=admins[i]))
    done = [a for a in answers if isinstance(a, lpb.Entry)]
    assert len(done) == 1 and done[0].status == lpb.Entry.COUNTED
    assert {a for a in answers if not isinstance(a, lpb.Entry)} <= {(OK.FAILED_PRECONDITION, "ENTRY_NOT_PENDING")}
    balance = c.balance(m)
    assert (balance.balance, balance.pending_count) == (9, 0) and c.verify().ok


def test_deductions_crossing_a_threshold_together_emit_it_once(county):
    c = county
    m = c.members[3].name
    answers = _all_at_once(lambda i: c.record(m, "LATE"), count=4)  # 12 → 0: below 6, then at 0
    assert all(isinstance(a, lpb.Entry) for a in answers), answers
    assert c.balance(m).balance == 0
    crossed = [e["threshold_code"] for e in c.events("points.threshold_crossed") if e["member"] == m]
    assert sorted(crossed) == ["REMINDER_TALK", "UNQUALIFIED"], crossed
