"""Points ledger benchmark (issue 8): a county-year, then as much of a province-year as fits.

Prints figures, asserts nothing. A fresh PostgreSQL database, dropped at the end. Seeding
(bench/points_seed.py: what is seeded how, and what is not real) is fast and in-process; every
figure marked RPC goes through real gRPC to a platform process hosting organization and points
(a subprocess, so the client does not share its GIL), with a county admin's token. The bare
grpcio echo server (bench/org_bench.py) and the raw SQLAlchemy baselines (bench/points_raw.py)
run in the same run. BENCH_POINTS_PROVINCE_SECONDS (default 240) bounds the province's seeding;
BENCH_POINTS_COUNTIES (default 100) its counties.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench import points_raw, process_load
from bench import points_seed as seed
from bench.org_bench import ECHO_METHOD, PG_ADMIN, _cleanup, _latencies, _load, _pct
from bench.points_calls import IN_FLIGHT, SECONDS, TENANT, Client

LATENCY_CALLS = 400
BATCHES = 5
BATCH = 1000  # members per BatchRecordEntries (fewer when BENCH_POINTS_MEMBERS is smaller)
AIM_RATE, AIM_RATIO, AIM_BALANCE_P99 = 500, 0.3, 10.0


def _serve_platform() -> None:
    from services.common.config import Settings
    from services.platform import build_runtime, build_server

    settings = Settings.from_env()
    server, port, _ = build_server(settings, [build_runtime(n, settings) for n in ("organization", "points")],
                                   "127.0.0.1:0")
    server.start()
    print(port, flush=True)
    sys.stdin.read()
    server.stop(None)


def _spawn_platform(env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sys.executable, "-m", "bench.points_bench", "--serve"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env=env, text=True)
    return proc, int(proc.stdout.readline())


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} / {_pct(values, 99):.1f} ms"


def _aim(met: bool) -> str:
    return "met" if met else "missed"


def _reads(client: Client, rnd: random.Random, tenants: list[str], label: str) -> list[tuple]:
    stub, md = client.stub, client.operator
    _latencies(stub.GetBalance, client.balances(rnd, tenants, 50), md)  # warm the pools
    balance = _latencies(stub.GetBalance, client.balances(rnd, tenants, LATENCY_CALLS), md)
    township = _latencies(stub.GetStandings, client.standings(rnd, tenants, 100, True), md)
    county = _latencies(stub.GetStandings, client.standings(rnd, tenants, 40, False), md)
    return [
        (f"{label}GetBalance p50 / p99 ({LATENCY_CALLS} calls, one at a time)", _ms(balance),
         f"p99 < {AIM_BALANCE_P99:.0f} ms", _aim(_pct(balance, 99) < AIM_BALANCE_P99)),
        (f"{label}GetStandings, a township (~{seed.MEMBERS // seed.TOWNSHIPS} members), p50 / p99 (100 calls)",
         _ms(township), "", ""),
        (f"{label}GetStandings, the county ({seed.MEMBERS:,} members), p50 / p99 (40 calls)", _ms(county), "", ""),
    ]


def _cpu(pid: int) -> float:
    """CPU seconds a process has used (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _recording(client: Client, request, md, pid: int) -> tuple:
    """RecordEntry at IN_FLIGHT: (calls/s, latencies, failures, first failure, server CPU ms per call)."""
    cpu = _cpu(pid)
    rate, lat, failed, first = _load(client.stub.RecordEntry, request, md, SECONDS, IN_FLIGHT)
    return rate, lat, failed, first, (_cpu(pid) - cpu) * 1000 / max(len(lat) + failed, 1)


def _writes(client: Client, url: str, revision: int, echo_port: int, pid: int) -> tuple[list[tuple], float]:
    """The county's write figures, and the raw insert's rate (the province's ratio uses it too)."""
    import grpc

    rnd = random.Random(11)
    stub, md = client.stub, client.admin
    _load(stub.RecordEntry, client.record(rnd), md, 1.0, IN_FLIGHT)  # warm up
    rate, lat, failed, first, cpu_ms = _recording(client, client.record(rnd), md, pid)
    raw = points_raw.measure(url, [seed.member_id(i) for i in range(seed.MEMBERS)], revision, IN_FLIGHT, SECONDS)
    echo_channel = grpc.insecure_channel(f"127.0.0.1:{echo_port}")
    echo = echo_channel.unary_unary(ECHO_METHOD)
    payload = client.record(rnd)().SerializeToString()
    echo_rate, echo_lat, _, _ = _load(echo, lambda: payload, [], SECONDS, IN_FLIGHT)
    echo_one = _latencies(echo, [payload] * LATENCY_CALLS, [])
    echo_channel.close()
    batch_s = []
    size = min(BATCH, seed.MEMBERS)
    for k in range(BATCHES):
        members = rnd.sample(range(seed.MEMBERS), size)
        t0 = time.perf_counter()
        stub.BatchRecordEntries(client.batch(members, 2 + k), metadata=md, timeout=120)
        batch_s.append(time.perf_counter() - t0)
    (ins, ins_failed), (app, app_failed) = raw["insert"], raw["append"]
    rows = [
        (f"RecordEntry, {IN_FLIGHT} in flight, one county ({SECONDS:.0f} s)", f"{rate:,.0f} entries/s",
         f"≥ {AIM_RATE}/s", _aim(rate >= AIM_RATE)),
        ("  its latency p50 / p99", _ms(lat), "", ""),
        ("  platform process CPU per RecordEntry", f"{cpu_ms:.1f} ms (one core: ≤ {1000 / cpu_ms:,.0f}/s)", "", ""),
        ("  load average (1 min) meanwhile", f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", "", ""),
        ("raw Core INSERT of the entry row, 1 per transaction, 16 threads", f"{ins:,.0f} rows/s", "", ""),
        ("RecordEntry / raw insert", f"{rate / ins:.2f}", f"≥ {AIM_RATIO}", _aim(rate / ins >= AIM_RATIO)),
        ("raw Core append (head lock, hash, insert, head, 2 upserts), 16 threads", f"{app:,.0f} rows/s", "", ""),
        ("RecordEntry / raw append", f"{rate / app:.2f}", "", ""),
        (f"bare grpcio echo, {IN_FLIGHT} in flight", f"{echo_rate:,.0f} calls/s (p50 / p99 {_ms(echo_lat)})", "", ""),
        ("RecordEntry / echo", f"{rate / echo_rate:.3f}", "", ""),
        ("bare grpcio echo, one at a time, p50 / p99", _ms(echo_one), "", ""),
        (f"BatchRecordEntries of {size:,} members, per batch ({BATCHES} batches)",
         f"median {statistics.median(batch_s):.2f} s (min {min(batch_s):.2f}, max {max(batch_s):.2f}) = "
         f"{size / statistics.median(batch_s):,.0f} entries/s", "", ""),
    ]
    for what, n, why in (("RecordEntry", failed, first), ("raw insert", ins_failed, ""), ("raw append", app_failed, "")):
        if n:
            rows.append((f"  ({what}: {n} calls failed)", why[:80], "", ""))
    return rows, ins


def _print(rows: list[tuple]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    print(f"\n{'measure':<{widths[0]}}  {'value':<{widths[1]}}  {'aim':<{widths[2]}}  result")
    for r in rows:
        print(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}".rstrip(), flush=True)


def _province(conn, budget: float, limit: int) -> tuple[list[str], float, int]:
    """Clone the county until the budget or the limit; (county codes, seconds, entries)."""
    codes, entries, t0 = [TENANT], 0, time.perf_counter()
    for k in range(1, limit):
        if time.perf_counter() - t0 >= budget:
            break
        code = f"61{4 + k // 100:02d}{k % 100:02d}"
        entries += seed.clone_county(conn, TENANT, code)
        conn.commit()
        codes.append(code)
        if len(codes) % 10 == 0:
            print(f"  province: {len(codes)} counties ({time.perf_counter() - t0:.0f} s)", flush=True)
    return codes, time.perf_counter() - t0, entries


def run() -> None:
    import psycopg

    from services.common.clock import utcnow
    from services.common.config import Settings
    from services.common.db import make_engine
    from services.platform import migrate_all
    from services.points.entrypoints.runtime import uow_factory
    from services.points.service_layer.loaders import rules_in_force

    budget = float(os.environ.get("BENCH_POINTS_PROVINCE_SECONDS", "240"))
    limit = int(os.environ.get("BENCH_POINTS_COUNTIES", "100"))
    db = f"pb_bench_points_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{db}"
    env = dict(os.environ, PB_DATABASE_URL=url, PB_ALLOW_DEV_SECRET="1", PB_VAR_DIR=tempfile.mkdtemp(prefix="pb-bp-"),
               PB_GRPC_PORT="0", PB_LOG_LEVEL="WARNING")
    procs: list[subprocess.Popen] = []
    try:
        print(f"\n== points benchmark: PostgreSQL {db} ==")
        settings = Settings.from_env(env)
        migrate_all(settings)
        engine = make_engine(url, "points", pool_size=2)
        uows = uow_factory(engine)
        now = utcnow()
        t0 = time.perf_counter()
        with psycopg.connect(url.replace("+psycopg", "")) as conn:
            seed.seed_directory(conn, TENANT, now)
            conn.commit()
            seed.adopt_rules(uows, TENANT)
            with uows(TENANT, write=False) as uow:
                revision = rules_in_force(uow, TENANT, now.date())
            count, hashing = seed.seed_ledger(conn, TENANT, revision, now)
            conn.commit()
            conn.execute("ANALYZE")
            conn.commit()
        engine.dispose()
        print(f"seeded county {TENANT}: directory of {seed.VILLAGES + seed.TOWNSHIPS} units and {seed.MEMBERS:,} "
              f"members COPYed straight into points' own directory tables (not through the organization); the 巢湖 "
              f"template adopted and published through the service layer; {count:,} entries of {seed.YEAR} built "
              f"in Python with their hash chain ({hashing:.1f} s of hashing) and COPYed with their projections "
              f"(balances, rule totals, crossings, wallets): {time.perf_counter() - t0:.1f} s", flush=True)
        server, port = _spawn_platform(env)
        procs.append(server)
        echo, echo_port = process_load.spawn("echo", 1, env)
        procs.append(echo)
        client = Client(port)
        rows, raw_insert = _writes(client, url, revision.revision, echo_port, server.pid)
        rows += _reads(client, random.Random(5), [TENANT], "county: ")
        _print(rows)
        with psycopg.connect(url.replace("+psycopg", "")) as conn:
            codes, seconds, cloned = _province(conn, budget, limit)
            conn.execute("ANALYZE")
            conn.commit()
            total = conn.execute("SELECT count(*) FROM points.entries").fetchone()[0]
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        per = seconds / max(len(codes) - 1, 1)
        rows = [("province run", f"{len(codes)} counties, {len(codes) * seed.MEMBERS:,} members, {total:,} entries, "
                                 f"database {size / 1e9:.1f} GB", "1M members, 50M entries", "")]
        rows.append(("  seeding: the county cloned server-side (INSERT ... SELECT)",
                     f"{seconds:.0f} s, {per:.1f} s per county; 100 counties would take ~{per * 99 / 60:.0f} min",
                     "", ""))
        rows += _reads(client, random.Random(9), codes, "province: ")
        if len(codes) > 1:  # a process serves many counties: each county's chain is serial, not the process
            rate, lat, failed, first, cpu_ms = _recording(client, client.record(random.Random(3), tuple(codes)),
                                                          client.operator, server.pid)
            rows += [(f"province: RecordEntry, {IN_FLIGHT} in flight over {len(codes)} counties",
                      f"{rate:,.0f} entries/s (p50 / p99 {_ms(lat)})", f"≥ {AIM_RATE}/s", _aim(rate >= AIM_RATE)),
                     ("  platform process CPU per RecordEntry", f"{cpu_ms:.1f} ms; load average "
                                                               f"{os.getloadavg()[0]:.1f}", "", ""),
                     ("  / the raw insert above", f"{rate / raw_insert:.2f}", f"≥ {AIM_RATIO}",
                      _aim(rate / raw_insert >= AIM_RATIO))]
            if failed:
                rows.append((f"  ({failed} calls failed)", first[:80], "", ""))
        _print(rows)
        client.channel.close()
        print(f"(machine: {os.cpu_count()} cores; client, platform process, echo server and PostgreSQL share them)")
    finally:
        _cleanup(procs, db)


if __name__ == "__main__":
    {"--serve": _serve_platform}[sys.argv[1]]()
