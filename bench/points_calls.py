"""The calls bench/points_bench.py makes: requests of the points API, and load at N in flight."""

from __future__ import annotations

import os
import random
import threading
import time
import uuid

from bench import points_seed as seed

TENANT = "610301"  # the county of the write figures
IN_FLIGHT = 16
SECONDS = float(os.environ.get("BENCH_POINTS_SECONDS", "10"))  # each throughput run


def _load(call, make_request, md, seconds: float = SECONDS, in_flight: int = IN_FLIGHT):
    """(calls/s, latencies in ms, failures, first failure) with `in_flight` calls always outstanding."""
    lock, finished = threading.Lock(), threading.Event()
    state = {"open": in_flight, "failed": 0, "first": ""}
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    def fire() -> None:
        sent = time.perf_counter()
        call.future(make_request(), metadata=md, timeout=60).add_done_callback(lambda f: on_done(f, sent))

    def on_done(fut, sent: float) -> None:
        took = (time.perf_counter() - sent) * 1000
        with lock:
            if fut.exception() is not None:
                state["failed"] += 1
                state["first"] = state["first"] or f"{fut.exception().code().name}: {fut.exception().details()}"
            else:
                latencies.append(took)
        if time.perf_counter() < deadline:
            fire()
            return
        with lock:
            state["open"] -= 1
            if state["open"] == 0:
                finished.set()

    t0 = time.perf_counter()
    for _ in range(in_flight):
        fire()
    finished.wait()
    return len(latencies) / (time.perf_counter() - t0), latencies, state["failed"], state["first"]


class Client:
    """The points stub with the tokens and the requests the bench sends."""

    def __init__(self, port: int):
        import grpc
        from partybuilding.points.v1 import points_service_pb2_grpc as pb_grpc

        from services.common.auth import mint_token
        from services.common.config import DEV_JWT_SECRET

        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = pb_grpc.PointsServiceStub(self.channel)
        self.operator = [("authorization", f"Bearer {mint_token(DEV_JWT_SECRET, role='operator', tenants=['*'])}")]
        self.admin = [("authorization", "Bearer " + mint_token(DEV_JWT_SECRET, role="county_admin", tenants=[TENANT],
                                                               subject="bench-admin"))]

    def record(self, rnd: random.Random, tenants: tuple[str, ...] = (TENANT,)):
        """RecordEntry requests for a random member of a random county of `tenants`."""
        from google.protobuf import timestamp_pb2
        from partybuilding.points.v1 import points_ledger_pb2 as pb

        at = timestamp_pb2.Timestamp()
        at.FromSeconds(int(time.time()) - 3600)

        def request():
            code = rnd.choice(tenants)
            return pb.RecordEntryRequest(
                parent=f"tenants/{code}", member=f"tenants/{code}/members/{seed.member_id(rnd.randrange(seed.MEMBERS))}",
                rule_code=seed.MEETING, quantity=1, occurred_time=at, note="参加支部党员大会",
                request_id=str(uuid.uuid4()))
        return request

    def batch(self, members: list[int], hours_ago: int):
        from google.protobuf import timestamp_pb2
        from partybuilding.points.v1 import points_ledger_pb2 as pb

        at = timestamp_pb2.Timestamp()
        at.FromSeconds(int(time.time()) - 3600 * hours_ago)
        return pb.BatchRecordEntriesRequest(
            parent=f"tenants/{TENANT}", rule_code=seed.MEETING, occurred_time=at, note="党课", request_id=str(uuid.uuid4()),
            items=[pb.BatchEntryItem(member=f"tenants/{TENANT}/members/{seed.member_id(i)}", quantity=1)
                   for i in members])

    def balances(self, rnd: random.Random, tenants: list[str], n: int) -> list:
        from partybuilding.points.v1 import points_ledger_pb2 as pb

        return [pb.GetBalanceRequest(member=f"tenants/{rnd.choice(tenants)}/members/"
                                            f"{seed.member_id(rnd.randrange(seed.MEMBERS))}", year=seed.YEAR)
                for _ in range(n)]

    def standings(self, rnd: random.Random, tenants: list[str], n: int, township: bool) -> list:
        from partybuilding.points.v1 import points_ledger_pb2 as pb

        out = []
        for _ in range(n):
            code = rnd.choice(tenants)
            unit = f"tenants/{code}/units/{seed.township_id(rnd.randrange(seed.TOWNSHIPS))}" if township else ""
            out.append(pb.GetStandingsRequest(parent=f"tenants/{code}", unit=unit, year=seed.YEAR, top_n=10,
                                              bottom_n=10))
        return out
