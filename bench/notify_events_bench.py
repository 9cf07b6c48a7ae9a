"""Event-to-inbox latency: points.threshold_crossed committed in the points outbox at 200 events/s,
published by the points relay to RabbitMQ, consumed by a real nameko worker hosting notify
(`PB_WORKER_SERVICES=notify`, as run-distributed starts it), stored as inbox messages.

Latency = the first message's created_at - the event's occurred_at (stamped right before the
outbox commit, PER_COMMIT events a commit). Each event makes three inbox messages (the member,
the branch secretary, the unit) and two queued SMS (the member, the secretary; no delivery
process runs here). Needs the local PostgreSQL and RabbitMQ (a virtual host of its own). Prints,
never asserts.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psycopg
from kombu import Connection, Queue
from sqlalchemy import func, insert, select

from services.common.clock import as_utc, utcnow
from services.common.config import Settings
from services.common.db import make_engine
from services.common.directory.model import (
    DirectoryMember,
    DirectoryPost,
    DirectoryTenant,
    DirectoryUnit,
)
from services.common.events.publisher import AmqpPublisher
from services.common.events.registry import registered_topology
from services.common.events.relay import OutboxRelay, outbox
from services.notify.adapters import tables as notify_tables
from services.notify.entrypoints.runtime import uow_factory as notify_uows
from services.platform import SERVICES, migrate_all

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("PB_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_BASE = os.environ.get("PB_BENCH_AMQP_BASE", "amqp://guest:guest@127.0.0.1:5672/")
RATE = int(os.environ.get("PB_BENCH_NOTIFY_RATE", "200"))  # events/s offered (the figure: 200)
SECONDS = 10
# Events per outbox commit: ten commits a second of 20 events each, as several writers would
# leave them (one writer committing 200 times a second does not keep up on a loaded 2-core machine).
PER_COMMIT = 20
# nameko worker processes hosting notify, one run each
WORKERS = tuple(int(n) for n in os.environ.get("PB_BENCH_NOTIFY_WORKERS", "1,2").split(","))
TENANT, MEMBERS = "610222", 200
QUEUE = "evt-points-points.threshold_crossed--notify.on_points_threshold_crossed"


def _cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, timeout=120, capture_output=True)


def _seed_directory(url: str) -> None:
    """A village with a secretary and MEMBERS members in notify's directory, as events would leave it."""
    unit = lambda i, parent, kind, path: DirectoryUnit(TENANT, i, parent, path, path.count("/") - 1, kind,  # noqa: E731
                                                        f"单位{i}", "ACTIVE", None, False, False, 0, "", 1)
    members = [DirectoryMember(TENANT, f"m-{n}", "u-village", f"党员{n}", "MALE", "FULL", "FARMER", "MEMBER_ACTIVE",
                               "", 1) for n in range(MEMBERS)]
    with notify_uows(make_engine(url, "notify"))(TENANT) as uow:
        uow.directory.apply_tenant(DirectoryTenant(TENANT, "宜君县", "610200", "铜川市", "Asia/Shanghai", "zh-CN", 1))
        uow.directory.apply_units([unit("u-town", None, "TOWNSHIP", "/u-town/"),
                                   unit("u-village", "u-town", "VILLAGE", "/u-town/u-village/")])
        uow.directory.apply_members(members)
        uow.directory.apply_posts([DirectoryPost(TENANT, "p-1", "SECRETARY", "u-village", "m-0", "党员0", None, None,
                                                 None, True, 1)])
        uow.commit()


def _start_worker(url: str, amqp: str, work: Path) -> subprocess.Popen:
    work.mkdir(parents=True, exist_ok=True)
    (work / "nameko.yaml").write_text(f"AMQP_URI: '{amqp}'\nmax_workers: 10\n")
    env = dict(os.environ, PB_DATABASE_URL=url, PB_AMQP_URI=amqp, PB_WORKER_SERVICES="notify",
               PB_LOG_LEVEL="WARNING", PB_ALLOW_DEV_SECRET="1", PB_METRICS_PORT="0")
    with (work / "worker.log").open("w") as out:
        worker = subprocess.Popen([str(Path(sys.executable).parent / "nameko"), "run", "--config",
                                   str(work / "nameko.yaml"), "services.common.events.worker"], env=env, cwd=ROOT,
                                  stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and worker.poll() is None:
        try:
            with Connection(amqp, connect_timeout=2) as conn:
                queue = Queue(QUEUE, channel=conn.channel())
                if queue.queue_declare(passive=True).consumer_count:
                    return worker
        except Exception:
            pass
        time.sleep(0.3)
    worker.kill()
    raise RuntimeError(f"notify's worker did not start; see {work / 'worker.log'}")


def _row(n: int) -> dict:
    payload = {"member": f"tenants/{TENANT}/members/m-{n % MEMBERS}", "unit": f"tenants/{TENANT}/units/u-village",
               "threshold_code": "REMINDER_TALK", "threshold_name_zh": "提醒谈话", "threshold_name_en": "Reminder talk",
               "year": 2026, "balance": 5, "entry": f"tenants/{TENANT}/entries/e-{n}", "status": "REMINDER_TALK"}
    return {"event_id": str(uuid.uuid4()), "tenant": TENANT, "type": "points.threshold_crossed", "producer": "points",
            "schema_version": 1, "payload": json.dumps(payload, ensure_ascii=False), "tenant_seq": n + 1}


def _latencies(points_engine, notify_engine) -> list[float]:
    with points_engine.connect() as conn:
        committed = {r.event_id: as_utc(r.occurred_at) for r in conn.execute(
            select(outbox.c.event_id, outbox.c.occurred_at).where(outbox.c.type == "points.threshold_crossed"))}
    m = notify_tables.messages
    with notify_engine.connect() as conn:
        first = conn.execute(select(m.c.source_key, func.min(m.c.created_at)).group_by(m.c.source_key)).all()
    return sorted((as_utc(at) - committed[key]).total_seconds() * 1000 for key, at in first if key in committed)


def _count(notify_engine) -> int:
    m = notify_tables.messages
    with notify_engine.connect() as conn:
        return conn.execute(select(func.count(func.distinct(m.c.source_key)))).scalar()


def _measure(n_workers: int) -> None:
    """One run on a fresh database and virtual host with `n_workers` worker processes; prints its line."""
    name, vhost = f"pb_bench_{uuid.uuid4().hex[:8]}", f"pb-bench-{uuid.uuid4().hex[:8]}"
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    amqp = AMQP_BASE + vhost
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    work = Path(tempfile.mkdtemp(prefix="pb-bench-notify-"))
    workers: list[subprocess.Popen] = []
    relay = thread = publisher = None
    try:
        migrate_all(Settings.from_env({"PB_DATABASE_URL": url, "PB_ALLOW_DEV_SECRET": "1"}))
        _seed_directory(url)
        points_engine, notify_engine = make_engine(url, "points", pool_size=2), make_engine(url, "notify", pool_size=2)
        for i in range(n_workers):
            workers.append(_start_worker(url, amqp, work / str(i)))
        publisher = AmqpPublisher(amqp, registered_topology(SERVICES))
        relay = OutboxRelay(points_engine, "points", publisher.publish_batch, poll_interval=0.02)
        thread = threading.Thread(target=relay.run, daemon=True)
        thread.start()
        cpu_before = sum(_cpu_seconds(w.pid) for w in workers)
        total, start = RATE * SECONDS, time.perf_counter()
        for first in range(0, total, PER_COMMIT):
            with points_engine.begin() as conn:
                at = utcnow()  # as late as possible before COMMIT
                conn.execute(insert(outbox), [{**_row(n), "occurred_at": at} for n in range(first, first + PER_COMMIT)])
            delay = start + (first + PER_COMMIT) / RATE - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        offered = total / (time.perf_counter() - start)
        deadline = time.monotonic() + 60
        while _count(notify_engine) < total and time.monotonic() < deadline:
            time.sleep(0.2)
        cpu_ms = (sum(_cpu_seconds(w.pid) for w in workers) - cpu_before) * 1000 / max(1, _count(notify_engine))
        ordered = _latencies(points_engine, notify_engine)
        points_engine.dispose()
        notify_engine.dispose()
        if not ordered:
            print(f"{n_workers} worker(s): no event reached an inbox; see {work}/*/worker.log")
            return
        p50 = statistics.median(ordered)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print(f"points.threshold_crossed at {offered:.0f} events/s for {SECONDS} s, {n_workers} worker process(es) "
              f"({len(ordered)} of {total} in inboxes, 3 inbox messages + 2 SMS each): commit -> inbox p50 {p50:.0f} ms, "
              f"p99 {p99:.0f} ms, max {ordered[-1]:.0f} ms; worker CPU {cpu_ms:.1f} ms/event; load average "
              f"{os.getloadavg()[0]:.1f}   aim p99 < 1 s: {'met' if p99 < 1000 else 'missed'}", flush=True)
    finally:
        if relay is not None:
            relay.stop()
            thread.join(10)
            publisher.close()
        for worker in workers:
            worker.terminate()
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                worker.kill()
        _rabbitmqctl("delete_vhost", vhost)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run() -> None:
    print("\n== notify: event -> inbox through RabbitMQ ==")
    for n_workers in WORKERS:
        _measure(n_workers)


if __name__ == "__main__":
    run()
