"""The requests bench/points_bench.py sends to the points API, and the tokens it sends them with."""

from __future__ import annotations

import os
import random
import time
import uuid

from bench import points_seed as seed

TENANT = "610301"  # the county of the write figures
IN_FLIGHT = 16
SECONDS = float(os.environ.get("BENCH_POINTS_SECONDS", "10"))  # each throughput run


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
