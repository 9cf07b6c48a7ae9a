"""Organization benchmark: a synthetic province on PostgreSQL, imported and then read over gRPC.

Prints figures, asserts nothing. BENCH_SCALE (default 1.0) scales the number of counties:
1.0 is 100 counties of about 1,050 units and 10,000 members each (about 100k units, 1M members).
The gRPC server and a bare grpcio echo server run in subprocesses, so the client does not share
their GIL; throughput is measured at 1 and 2 server processes (PB_GRPC_PROCESSES, SO_REUSEPORT)
with the load from several client processes (bench/process_load.py), each against an echo server
of as many processes in the same run. The database is created fresh and dropped at the end.
"""

from __future__ import annotations

import contextlib
import os
import random
import statistics
import subprocess
import tempfile
import threading
import time
import uuid

PG_ADMIN = os.environ.get("PB_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PROVINCE_COUNTIES = 100
TOWNSHIPS_PER_COUNTY = 15
STATIONS_PER_COUNTY = 40
VILLAGES_PER_COUNTY = 200
GROUPS_PER_VILLAGE = 4
MEMBERS_PER_VILLAGE = (44, 52)
LATENCY_CALLS = 400
THROUGHPUT_SECONDS = 5.0
IN_FLIGHT = 32
ECHO_METHOD = "/bench.Echo/Echo"


def _county_codes(n: int) -> list[str]:
    """Codes 61cckk: ten counties per city, cities 01.. of province 61."""
    return [f"61{1 + i // 10:02d}{1 + i % 10:02d}" for i in range(n)]


def _shape(code: str):
    from services.organization.demo import CountyShape

    towns = tuple(f"{code[-2:]}号{i + 1}镇" for i in range(TOWNSHIPS_PER_COUNTY))
    return CountyShape(towns, STATIONS_PER_COUNTY, VILLAGES_PER_COUNTY, MEMBERS_PER_VILLAGE, GROUPS_PER_VILLAGE)


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# ---------------------------------------------------------------- subprocess servers

def _stop(proc: subprocess.Popen) -> None:
    """A bench server: one reading its stdin stops when it closes, a process_load one on SIGTERM."""
    if proc.stdin is None:
        from bench import process_load

        process_load.stop(proc)
        return
    proc.stdin.close()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


# ---------------------------------------------------------------- measurements

def _latencies(call, requests: list, md) -> list[float]:
    out = []
    for req in requests:
        t0 = time.perf_counter()
        call(req, metadata=md, timeout=30)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _load(call, make_request, md, seconds: float = THROUGHPUT_SECONDS, in_flight: int = IN_FLIGHT):
    """(calls/s, latencies of the calls that succeeded in ms, failures, the first failure) with
    `in_flight` calls always outstanding."""
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


def _throughput(role: str, processes: int, env: dict[str, str], method: str, payloads: list[bytes], md) -> float:
    """Calls per second of a `role` server of `processes` processes under several client processes."""
    from bench import process_load

    server, port = process_load.spawn(role, processes, env)
    try:
        rate, failed, first = process_load.throughput(port, method, payloads, md, THROUGHPUT_SECONDS)
    finally:
        process_load.stop(server)
    if failed:
        print(f"  ({role} at {processes} process(es): {failed} calls failed, first: {first})")
    return rate


def _cleanup(procs: list[subprocess.Popen], db: str) -> None:
    """Stop the bench's subprocesses and drop its database."""
    import psycopg

    for proc in procs:
        _stop(proc)
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def run() -> None:
    import grpc
    import psycopg
    from partybuilding.organization.v1 import organization_service_pb2 as pb
    from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc

    from services.common.auth import Principal, mint_token
    from services.common.config import DEV_JWT_SECRET, Settings
    from services.common.errors import AlreadyExists
    from services.organization.demo import county_rows
    from services.organization.domain.model import TenantSettings
    from services.organization.domain.sheet import rows_from_dicts
    from services.organization.service_layer import bulk_import, commands, tenants
    from services.pbctl.org import problem_line
    from services.platform import build_runtime, migrate_all

    scale = float(os.environ.get("BENCH_SCALE", "1.0"))
    n_counties = max(1, round(PROVINCE_COUNTIES * scale))
    db = f"pb_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{db}"
    var_dir = tempfile.mkdtemp(prefix="pb-bench-")
    env = dict(os.environ, PB_DATABASE_URL=url, PB_ALLOW_DEV_SECRET="1", PB_VAR_DIR=var_dir, PB_GRPC_PORT="0",
               PB_LOG_LEVEL="WARNING")
    servers: list[subprocess.Popen] = []
    try:
        settings = Settings.from_env(env)
        migrate_all(settings)
        runtime = build_runtime("organization", settings)
        uow = runtime.uow_factory
        print(f"\n== organization benchmark: {n_counties} counties (BENCH_SCALE={scale}), PostgreSQL {db} ==")
        codes = _county_codes(n_counties)
        gen_s = import_s = 0.0
        first_county_s = 0.0
        units = members = posts = 0
        t_all = time.perf_counter()
        for i, code in enumerate(codes):
            with contextlib.suppress(AlreadyExists):
                tenants.create_tenant(commands.CreateTenant(code, f"县{code}", code[:4] + "00", f"市{code[:4]}",
                                                            TenantSettings()), uow, Principal.operator("bench"))
            t0 = time.perf_counter()
            rows = rows_from_dicts(county_rows(code, _shape(code)))
            t1 = time.perf_counter()
            report = bulk_import.import_rows(rows, uow(code), actor="bench")
            t2 = time.perf_counter()
            if not report.ok:
                print("\n".join(problem_line(p.row, p.column, p.reason, p.zh, p.en) for p in report.sorted_problems()[:20]))
                return
            gen_s += t1 - t0
            import_s += t2 - t1
            if i == 0:
                first_county_s = t2 - t1
            units, members, posts = units + report.units, members + report.members, posts + report.posts
            if (i + 1) % 10 == 0 or i + 1 == n_counties:
                print(f"  imported {i + 1}/{n_counties} counties: {units} units, {members} members, {posts} posts "
                      f"({time.perf_counter() - t_all:.0f} s)", flush=True)
        with runtime.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        runtime.engine.dispose()

        from bench import process_load

        server, port = process_load.spawn("platform", 1, env)
        servers.append(server)
        echo, echo_port = process_load.spawn("echo", 1, env)
        servers.append(echo)
        md = [("authorization", f"Bearer {mint_token(DEV_JWT_SECRET, role='operator', tenants=['*'])}")]
        rng = random.Random(7)
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        stub = pb_grpc.OrganizationServiceStub(channel)
        sample = codes[len(codes) // 2]
        parent = f"tenants/{sample}"
        towns = list(stub.ListUnits(pb.ListUnitsRequest(parent=parent, types=[pb.TOWNSHIP], page_size=100),
                                    metadata=md).units)
        leaves = []
        for code in rng.sample(codes, min(5, len(codes))):
            leaves += stub.ListUnits(pb.ListUnitsRequest(parent=f"tenants/{code}", types=[pb.PARTY_GROUP],
                                                         page_size=200), metadata=md).units
        all_units = [u.name for u in stub.ListUnits(pb.ListUnitsRequest(parent=parent, page_size=1000),
                                                    metadata=md).units]
        # Warm up connections and caches before timing.
        _latencies(stub.GetUnit, [pb.GetUnitRequest(name=n) for n in all_units[:100]], md)

        township_list = _latencies(stub.ListUnits, [
            pb.ListUnitsRequest(parent=parent, under=rng.choice(towns).name, page_size=100)
            for _ in range(LATENCY_CALLS)], md)
        county_list = _latencies(stub.ListUnits, [
            pb.ListUnitsRequest(parent=parent, page_size=100) for _ in range(LATENCY_CALLS)], md)
        path = _latencies(stub.GetUnitPath, [pb.GetUnitPathRequest(name=rng.choice(leaves).name)
                                             for _ in range(LATENCY_CALLS)], md)
        echo_channel = grpc.insecure_channel(f"127.0.0.1:{echo_port}")
        payload = pb.GetUnitRequest(name=all_units[0]).SerializeToString()
        # The floor under every latency above: a bare grpcio round trip on this machine, one at a time.
        echo_latency = _latencies(echo_channel.unary_unary(ECHO_METHOD), [payload] * LATENCY_CALLS, [])
        channel.close()
        echo_channel.close()
        for proc in servers:
            _stop(proc)
        servers.clear()

        # Throughput: each server alone on the machine with the client processes, the platform and
        # the echo alternating so that a change in the machine's other load touches both alike.
        requests = [pb.GetUnitRequest(name=rng.choice(all_units)).SerializeToString() for _ in range(2000)]
        rates = {}
        for processes in (1, 2):
            rates["platform", processes] = _throughput("platform", processes, env, process_load.GET_UNIT,
                                                       requests, md)
            rates["echo", processes] = _throughput("echo", processes, env, ECHO_METHOD, [payload], md)
        ratios = {n: rates["platform", n] / rates["echo", n] if rates["echo", n] else 0.0 for n in (1, 2)}
        load = (f"{process_load.CLIENT_PROCESSES} client processes × "
                f"{process_load.IN_FLIGHT_PER_CLIENT} in flight")

        rows_out = [
            ("counties / units / members / posts", f"{n_counties} / {units} / {members} / {posts}", "", ""),
            ("import one county (rows → committed)", f"{first_county_s:.2f} s", "", ""),
            (f"import {n_counties} counties", f"{import_s:.1f} s (+{gen_s:.1f} s generating rows)",
             "", f"{(units + members + posts) / import_s:,.0f} records/s"),
            ("ListUnits under a township, 100/page p50", f"{statistics.median(township_list):.2f} ms", "", ""),
            ("ListUnits under a township, 100/page p99", f"{_pct(township_list, 99):.2f} ms", "< 5 ms",
             "met" if _pct(township_list, 99) < 5 else "missed"),
            ("ListUnits county root, 100/page p50", f"{statistics.median(county_list):.2f} ms", "", ""),
            ("ListUnits county root, 100/page p99", f"{_pct(county_list, 99):.2f} ms", "< 5 ms",
             "met" if _pct(county_list, 99) < 5 else "missed"),
            ("GetUnitPath (party group, depth 4) p50", f"{statistics.median(path):.2f} ms", "", ""),
            ("GetUnitPath (party group, depth 4) p99", f"{_pct(path, 99):.2f} ms", "", ""),
            ("bare grpcio echo, one at a time, p50 / p99",
             f"{statistics.median(echo_latency):.2f} / {_pct(echo_latency, 99):.2f} ms", "", ""),
            *[row for n in (1, 2) for row in (
                (f"GetUnit, {n} server process(es), {load}", f"{rates['platform', n]:,.0f} calls/s", "", ""),
                (f"bare grpcio echo, {n} process(es), same load", f"{rates['echo', n]:,.0f} calls/s", "", ""),
                (f"GetUnit / echo ratio at {n} process(es)", f"{ratios[n]:.2f}", "≥ 0.5" if n == 2 else "",
                 ("met" if ratios[n] >= 0.5 else "missed") if n == 2 else ""))],
            ("GetUnit at 2 processes / at 1", f"{rates['platform', 2] / rates['platform', 1]:.2f}×"
             if rates["platform", 1] else "-", "", ""),
        ]
        widths = [max(len(r[i]) for r in rows_out) for i in range(4)]
        print()
        print(f"{'measure':<{widths[0]}}  {'value':<{widths[1]}}  {'aim':<{widths[2]}}  result")
        for r in rows_out:
            print(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}".rstrip())
        print(f"(machine: {os.cpu_count()} cores; client, server and PostgreSQL share them)")
    finally:
        _cleanup(servers, db)

