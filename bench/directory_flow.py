"""Directory benchmark, production wiring: organization changes reaching points' directory.

Prints figures, asserts nothing. A fresh PostgreSQL database and a private RabbitMQ vhost, and
the processes `pbctl run-distributed` starts (services/pbctl/distributed.py): `pbctl migrate`,
`pbctl events declare`, a gRPC server hosting organization and points (`pbctl serve`), the
organization relay (`pbctl events relay --service organization`) and the nameko worker consuming
for points (`nameko run services.common.events.worker`, PB_WORKER_SERVICES=points). Then:

1. ImportOrganization (client-streaming, as `pbctl org import` sends it) of a synthetic county of
   exactly 10,000 members, timed from its commit until points' directory_members holds them all.
2. Single changes (UpdateUnit and UpdateMember renames, alternating, each row once) at a modest
   rate, each timed from the event's row in the organization's outbox (written just before the
   change commits) and from the RPC's answer to its directory row's `applied_at` (set by the
   worker just before it commits). Trigger-free: both are stored timestamps on one machine.

BENCH_DIRECTORY_CHANGES (default 300) and BENCH_DIRECTORY_RATE (changes/s, default 20) scale 2.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.org_bench import _pct

PG_ADMIN = os.environ.get("PB_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_BASE = os.environ.get("PB_BENCH_AMQP_BASE", "amqp://guest:guest@127.0.0.1:5672/")
TENANT = "610223"
MEMBERS = 10_000
IMPORT_AIM_S = 30.0
CHUNK_BYTES = 1 << 20  # the server's bound (docs/import-format.md)
ROOT = Path(__file__).resolve().parent.parent


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, timeout=120, capture_output=True)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def county_sheet(code: str) -> bytes:
    """A CSV county sheet of exactly MEMBERS members: org_bench's county shape, ordinary members trimmed."""
    from services.organization.adapters.spreadsheet import sheet_bytes
    from services.organization.demo import CountyShape, county_rows

    towns = tuple(f"基准{i + 1}镇" for i in range(15))
    rows = county_rows(code, CountyShape(towns, 40, 200, (46, 54), 4))
    extra = sum(r["record"] == "member" for r in rows) - MEMBERS
    if extra < 0:
        raise RuntimeError(f"the synthetic county has {MEMBERS + extra} members, fewer than {MEMBERS}")
    keep = []
    for r in reversed(rows):  # drop members holding no post, from the end
        if extra and r["record"] == "member" and not r["posts"]:
            extra -= 1
            continue
        keep.append(r)
    return sheet_bytes(keep[::-1], ".csv")


class Processes:
    """The production roles as subprocesses, their output in log files."""

    def __init__(self, env: dict[str, str]):
        self.env, self.procs = env, []
        self.logs = Path(tempfile.mkdtemp(prefix="pb-bench-dir-"))

    def run(self, role: str, argv: list[str]) -> None:
        with (self.logs / f"{role}.log").open("w") as out:
            subprocess.run(argv, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=True)

    def start(self, role: str, argv: list[str], extra: dict[str, str] | None = None) -> None:
        out = (self.logs / f"{role}.log").open("w")
        self.procs.append((role, subprocess.Popen(argv, env={**self.env, **(extra or {})}, cwd=ROOT,
                                                  stdout=out, stderr=subprocess.STDOUT)))

    def check(self) -> None:
        for role, proc in self.procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{role} exited with {proc.returncode}; see {self.logs / role}.log")

    def stop(self) -> None:
        for _, proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for _, proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait(what: str, condition, procs: Processes, timeout: float, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        procs.check()
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}; logs in {procs.logs}")
        time.sleep(interval)


def _worker_consuming(amqp: str, queue: str) -> bool:
    from kombu import Connection, Queue

    with Connection(amqp, connect_timeout=2) as conn:
        return Queue(queue, channel=conn.channel()).queue_declare(passive=True).consumer_count > 0


def _serving(channel) -> bool:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    try:
        answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
    except grpc.RpcError:
        return False
    return answer.status == health_pb2.HealthCheckResponse.SERVING


def _scalar(engine, sql: str, **params):
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def _import(stub, md, engine, procs: Processes) -> list[tuple[str, str]]:
    """ImportOrganization of the county, then until points' directory holds every member."""
    from partybuilding.organization.v1 import organization_service_pb2 as pb
    from sqlalchemy import text

    data = county_sheet(TENANT)

    def chunks():
        yield pb.ImportOrganizationRequest(parent=f"tenants/{TENANT}", format=pb.CSV, request_id=str(uuid.uuid4()),
                                           chunk=data[:CHUNK_BYTES])
        for start in range(CHUNK_BYTES, len(data), CHUNK_BYTES):
            yield pb.ImportOrganizationRequest(chunk=data[start:start + CHUNK_BYTES])

    sent = time.time()
    op = stub.ImportOrganization(chunks(), metadata=md, timeout=300)
    while not op.done:
        time.sleep(0.02)
        op = stub.GetOperation(pb.GetOperationRequest(name=op.name), metadata=md, timeout=30)
    seen_done = time.time()
    report = pb.ImportOrganizationResponse()
    op.response.Unpack(report)
    if not report.written:
        raise RuntimeError(f"the import was refused: {list(report.problems)[:5]}")
    count_sql = "SELECT COUNT(*) FROM points.directory_members WHERE tenant = :t"
    _wait("points' directory to hold every member", lambda: _scalar(engine, count_sql, t=TENANT) >= report.members,
          procs, timeout=600)
    all_there = time.time()
    with engine.connect() as conn:
        committed, published, events = conn.execute(text(
            "SELECT MIN(occurred_at), MAX(sent_at), COUNT(*) FROM organization.outbox "
            "WHERE tenant = :t AND type = 'organization.resources_changed'"), {"t": TENANT}).one()
        last_applied = conn.execute(text("SELECT MAX(applied_at) FROM points.directory_members WHERE tenant = :t"),
                                    {"t": TENANT}).scalar()
    commit_s, seen_s = all_there - committed.timestamp(), all_there - seen_done
    return [
        ("county sheet (CSV)", f"{report.units:,} units, {report.members:,} members, {report.posts:,} posts, "
                               f"{len(data) / 1e6:.1f} MB", "", ""),
        ("ImportOrganization: first chunk sent → operation done", f"{seen_done - sent:.1f} s", "", ""),
        ("  its events (organization.resources_changed)", f"{events}", "", ""),
        ("  commit → relay has published them all", f"{published.timestamp() - committed.timestamp():.2f} s", "", ""),
        ("  commit → worker applied the last member", f"{last_applied.timestamp() - committed.timestamp():.2f} s",
         "", ""),
        (f"import of {report.members:,} members → points directory (commit → all counted)", f"{commit_s:.2f} s",
         f"≤ {IMPORT_AIM_S:.0f} s", "met" if commit_s <= IMPORT_AIM_S else "missed"),
        ("  the same from the client seeing the operation done", f"{seen_s:.2f} s", "", ""),
    ]


def _changes(stub, md, engine, procs: Processes, n: int, rate: float) -> list[tuple[str, str]]:
    """n renames at `rate`/s, alternating units and members, each row changed once."""
    from google.protobuf import field_mask_pb2
    from partybuilding.organization.v1 import organization_service_pb2 as pb
    from sqlalchemy import text

    with engine.connect() as conn:
        units = list(conn.execute(text("SELECT id, version FROM points.directory_units WHERE tenant = :t "
                                       "AND type IN ('VILLAGE', 'PARTY_GROUP') ORDER BY id LIMIT :n"),
                                  {"t": TENANT, "n": (n + 1) // 2}))
        members = list(conn.execute(text("SELECT id, version FROM points.directory_members WHERE tenant = :t "
                                         "ORDER BY id LIMIT :n"), {"t": TENANT, "n": n // 2}))
    mask = field_mask_pb2.FieldMask(paths=["display_name"])
    plan = [("units", units[i // 2]) if i % 2 == 0 else ("members", members[i // 2])
            for i in range(len(units) + len(members))]
    answered: dict[tuple[str, str], float] = {}
    before = {(table, row.id): row.version for table, row in plan}
    start = time.perf_counter()
    for i, (table, row) in enumerate(plan):
        name = f"tenants/{TENANT}/{table}/{row.id}"
        if table == "units":
            stub.UpdateUnit(pb.UpdateUnitRequest(unit=pb.Unit(name=name, display_name=f"更名{i}村"),
                                                 update_mask=mask), metadata=md, timeout=30)
        else:
            stub.UpdateMember(pb.UpdateMemberRequest(member=pb.Member(name=name, display_name=f"党员{i}号"),
                                                     update_mask=mask), metadata=md, timeout=30)
        answered[(table, row.id)] = time.time()
        delay = start + (i + 1) / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    elapsed = time.perf_counter() - start

    def applied() -> dict | None:
        with engine.connect() as conn:
            out = {}
            for table in ("units", "members"):
                ids = [k[1] for k in before if k[0] == table]
                for rid, version, at in conn.execute(text(
                        f"SELECT id, version, applied_at FROM points.directory_{table} "
                        "WHERE tenant = :t AND id = ANY(:ids)"), {"t": TENANT, "ids": ids}):
                    if version > before[(table, rid)]:
                        out[(table, rid)] = at.timestamp()
        return out if len(out) == len(before) else None

    done = _wait("every change in points' directory", applied, procs, timeout=120, interval=0.2)
    with engine.connect() as conn:
        written = {}
        for type_, payload, occurred in conn.execute(text(
                "SELECT type, payload, occurred_at FROM organization.outbox WHERE tenant = :t "
                "AND type IN ('organization.unit_updated', 'organization.member_updated')"), {"t": TENANT}):
            body = json.loads(payload)
            table, subject = ("units", body["unit"]) if type_.endswith("unit_updated") else ("members", body["member"])
            written[(table, subject.rsplit("/", 1)[1])] = occurred.timestamp()
    from_event = [(done[k] - written[k]) * 1000 for k in done]
    from_answer = [(done[k] - answered[k]) * 1000 for k in done]
    p99 = _pct(from_event, 99)
    return [
        ("single changes (UpdateUnit / UpdateMember renames)", f"{len(plan)} in {elapsed:.1f} s "
                                                                f"({len(plan) / elapsed:.0f}/s)", "", ""),
        ("organization event → points directory applied, p50 / p99",
         f"{statistics.median(from_event):.0f} / {p99:.0f} ms", "", ""),
        ("RPC answered → points directory applied, p50 / p99",
         f"{statistics.median(from_answer):.0f} / {_pct(from_answer, 99):.0f} ms", "", ""),
        ("  max (event → applied)", f"{max(from_event):.0f} ms", "", ""),
    ]


def _print(rows: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    print(f"{'measure':<{widths[0]}}  {'value':<{widths[1]}}  {'aim':<{widths[2]}}  result")
    for r in rows:
        print(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}".rstrip())


def run() -> None:
    import grpc
    import psycopg
    from partybuilding.organization.v1 import organization_service_pb2 as pb
    from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc

    from services.common.auth import mint_token
    from services.common.config import DEV_JWT_SECRET
    from services.common.db import make_engine
    from services.common.events.topology import queue_name

    n = int(os.environ.get("BENCH_DIRECTORY_CHANGES", "300"))
    rate = float(os.environ.get("BENCH_DIRECTORY_RATE", "20"))
    db, vhost = f"pb_bench_flow_{uuid.uuid4().hex[:8]}", f"pb-bench-{uuid.uuid4().hex[:8]}"
    url, amqp = f"postgresql+psycopg://postgres@127.0.0.1:5432/{db}", AMQP_BASE + vhost
    port = _free_port()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    env = dict(os.environ, PB_DATABASE_URL=url, PB_AMQP_URI=amqp, PB_ALLOW_DEV_SECRET="1", PB_GRPC_PORT=str(port),
               PB_METRICS_PORT="0", PB_LOG_LEVEL="WARNING", PB_VAR_DIR=tempfile.mkdtemp(prefix="pb-bench-var-"))
    procs = Processes(env)
    engine = make_engine(url, "public", pool_size=2)
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    pbctl = [sys.executable, "-m", "services.pbctl.main"]
    try:
        print(f"\n== directory benchmark, production wiring: PostgreSQL {db}, RabbitMQ vhost {vhost} ==")
        procs.run("migrate", [*pbctl, "migrate"])
        procs.run("declare", [*pbctl, "events", "declare"])
        procs.start("grpc", [*pbctl, "serve"])
        procs.start("relay-organization", [*pbctl, "events", "relay", "--service", "organization"])
        procs.start("worker", [str(Path(sys.executable).parent / "nameko"), "run", "--broker", amqp,
                               "services.common.events.worker"], {"PB_WORKER_SERVICES": "points"})
        _wait("the gRPC server", lambda: _serving(channel), procs, timeout=120, interval=0.3)
        queue = queue_name("points", "organization", "organization.resources_changed")
        _wait("the points worker", lambda: _worker_consuming(amqp, queue), procs, timeout=120, interval=0.3)
        stub = pb_grpc.OrganizationServiceStub(channel)
        operator = [("authorization", f"Bearer {mint_token(DEV_JWT_SECRET, role='operator', tenants=['*'])}")]
        admin = [("authorization", f"Bearer {mint_token(DEV_JWT_SECRET, role='county_admin', tenants=[TENANT])}")]
        stub.CreateTenant(pb.CreateTenantRequest(tenant=pb.Tenant(code=TENANT, display_name="基准县",
                                                                  city_code=TENANT[:4] + "00")), metadata=operator)
        _wait("the tenant in points' directory", lambda: _scalar(
            engine, "SELECT COUNT(*) FROM points.directory_tenants WHERE id = :t", t=TENANT), procs, timeout=60)
        rows = _import(stub, admin, engine, procs)
        rows += _changes(stub, admin, engine, procs, n, rate)
        print()
        _print(rows)
        print(f"(machine: {os.cpu_count()} cores; client, gRPC server, relay, worker, PostgreSQL and RabbitMQ "
              "share them)")
    finally:
        channel.close()
        procs.stop()
        engine.dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        _rabbitmqctl("delete_vhost", vhost)


if __name__ == "__main__":
    run()
