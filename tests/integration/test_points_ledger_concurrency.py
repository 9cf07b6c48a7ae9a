"""16 clients recording and reversing on the same few members at once (PostgreSQL): every balance
ends equal to the sum of its ledger, and the county's chain verifies."""

from __future__ import annotations

import random
import threading

import grpc
import pytest
from partybuilding.points.v1 import points_ledger_pb2 as lpb

from tests.integration.ledger_setup import LedgerCounty

CLIENTS = 16
ROUNDS = 12


def test_parallel_recording_and_reversing_keeps_balances_and_the_chain(platform):
    if platform.backend != "postgres":
        pytest.skip("the race needs PostgreSQL's concurrent writers (SQLite has one writer)")
    c = LedgerCounty(platform)
    members = [m.name for m in c.members[:3]]
    failures: list[str] = []

    def client(seed: int) -> None:
        rnd = random.Random(seed)
        mine: list[str] = []
        try:
            for _ in range(ROUNDS):
                if mine and rnd.random() < 0.3:
                    c.reverse(mine.pop(rnd.randrange(len(mine))))
                    continue
                entry = c.record(rnd.choice(members), rnd.choice(["LATE", "STUDY", "URGENT"]), rnd.randint(1, 2))
                mine.append(entry.name)
        except grpc.RpcError as err:  # any refusal here is a bug: nothing the clients do is wrong
            failures.append(f"{err.code()}: {err.details()}")

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    for member in members:
        entries = c.points.ListEntries(lpb.ListEntriesRequest(parent=c.parent, member=member, page_size=1000),
                                       metadata=c.admin).entries
        counted = sum(e.points for e in entries if e.status in (lpb.Entry.COUNTED, lpb.Entry.REVERSED))
        assert c.balance(member).balance == 12 + counted
    verified = c.verify()
    assert verified.ok, verified.problem_en
    assert verified.entries_checked == c.entry_count()
