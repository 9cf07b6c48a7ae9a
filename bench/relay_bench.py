"""Relay figures on this machine: throughput with broker confirms, and commit-to-handler latency.

Needs the local PostgreSQL and RabbitMQ (`make services`). Prints, never asserts.
"""

from __future__ import annotations

import itertools
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
from kombu import Connection, Exchange, Producer, Queue
from sqlalchemy import MetaData, func, insert, select

from bench.latency_consumer import latency
from services.common.clock import utcnow
from services.common.db import APP_ROLE, make_engine
from services.common.events.publisher import AmqpPublisher
from services.common.events.relay import OutboxRelay, outbox
from services.common.migrate import upgrade
from services.common.tables import add_common_tables

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("PB_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP = os.environ.get("PB_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672//")
PRODUCER = "organization"
THROUGHPUT_EVENTS = 20_000
RAW_EVENTS = 2_000
E2E_RATE, E2E_SECONDS = 500, 6
E2E_WORKERS = (1, 2)  # nameko worker processes sharing the queue, one run each

assert add_common_tables(MetaData())  # same table shape as every service's outbox


_numbers: dict[str, itertools.count] = {}


def _rows(n: int, tenants: int = 10) -> list[dict]:
    """Outbox rows as one writer at a time would leave them (the bench writes from one thread)."""
    now = utcnow()
    payload = json.dumps({"unit": "tenants/610222/units/u-1", "old_parent": "a", "new_parent": "b"})
    rows = []
    for i in range(n):
        tenant = f"6100{i % tenants:02d}"
        rows.append({"event_id": str(uuid.uuid4()), "tenant": tenant, "type": "organization.unit_moved",
                     "producer": PRODUCER, "schema_version": 1, "payload": payload, "occurred_at": now,
                     "tenant_seq": next(_numbers.setdefault(tenant, itertools.count(1)))})
    return rows


def _cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _raw_kombu_confirms(queue_name: str) -> float:
    """The baseline: kombu publishing one message at a time, each waiting for its confirm."""
    body = {"event_id": str(uuid.uuid4()), "payload": {"unit": "u"}}
    exchange = Exchange(f"{PRODUCER}.events", type="topic", durable=True)
    with Connection(AMQP, transport_options={"confirm_publish": True}) as conn:
        producer = Producer(conn.channel(), exchange=exchange, serializer="json")
        start = time.perf_counter()
        for _ in range(RAW_EVENTS):
            producer.publish(body, routing_key="organization.unit_moved", delivery_mode=2)
        elapsed = time.perf_counter() - start
    return RAW_EVENTS / elapsed


def _relay_throughput(engine) -> float:
    with engine.begin() as conn:
        for i in range(0, THROUGHPUT_EVENTS, 5000):
            conn.execute(insert(outbox), _rows(min(5000, THROUGHPUT_EVENTS - i)))
    publisher = AmqpPublisher(AMQP)
    relay = OutboxRelay(engine, PRODUCER, publisher.publish_batch, batch_size=1000)
    start = time.perf_counter()
    sent = 0
    while (n := relay.run_once()):
        sent += n
    elapsed = time.perf_counter() - start
    publisher.close()
    return sent / elapsed


def _start_worker(url: str, consumer: str) -> subprocess.Popen:
    """bench.latency_consumer under `nameko run`; returns once its queue is bound."""
    env = dict(os.environ, PB_DATABASE_URL=url, PB_BENCH_CONSUMER=consumer, PB_LOG_LEVEL="WARNING",
               PB_ALLOW_DEV_SECRET="1")
    work = Path(tempfile.mkdtemp(prefix="pb-bench-"))
    (work / "nameko.yaml").write_text(f"AMQP_URI: '{AMQP}'\nmax_workers: 10\n")
    log = work / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen([str(Path(sys.executable).parent / "nameko"), "run", "--config",
                                   str(work / "nameko.yaml"), "bench.latency_consumer"], env=env, cwd=ROOT,
                                  stdout=out, stderr=subprocess.STDOUT)
    queue = f"evt-organization-organization.unit_moved--{consumer}.on_organization_unit_moved"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and worker.poll() is None:
        try:
            with Connection(AMQP, connect_timeout=2) as conn:
                Queue(queue, channel=conn.channel()).queue_declare(passive=True)
            return worker
        except Exception:
            time.sleep(0.2)
    worker.kill()
    raise RuntimeError(f"the nameko latency consumer did not start; see {log}")


def _e2e_latency(engine, url: str, n_workers: int) -> tuple[float, float, int, float]:
    """Commit events at E2E_RATE/s; relay -> RabbitMQ -> nameko handler notes each one's latency."""
    consumer = f"bench-latency-{uuid.uuid4().hex[:6]}"
    latency.drop(engine, checkfirst=True)
    latency.create(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"GRANT ALL ON bench_latency TO {APP_ROLE}")
    workers = [_start_worker(url, consumer) for _ in range(n_workers)]
    cpu_before = sum(_cpu_seconds(w.pid) for w in workers)
    publisher = AmqpPublisher(AMQP)
    relay = OutboxRelay(engine, PRODUCER, publisher.publish_batch, poll_interval=0.02)
    relay_thread = threading.Thread(target=relay.run, daemon=True)
    relay_thread.start()
    total = E2E_RATE * E2E_SECONDS
    start = time.perf_counter()
    try:
        for i in range(total):
            row = _rows(1)[0]
            with engine.begin() as conn:
                row["payload"] = json.dumps({"committed": "0"})
                conn.execute(insert(outbox).values(**row))
                # Stamp the commit time as late as possible: right before COMMIT.
                conn.exec_driver_sql("UPDATE outbox SET payload = %(p)s WHERE event_id = %(e)s",
                                     {"p": json.dumps({"committed": repr(time.time())}), "e": row["event_id"]})
            delay = start + (i + 1) / E2E_RATE - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        deadline = time.monotonic() + 30
        while _count(engine) < total and time.monotonic() < deadline:
            time.sleep(0.1)
        cpu = sum(_cpu_seconds(w.pid) for w in workers) - cpu_before
    finally:
        relay.stop()
        relay_thread.join(5)
        publisher.close()
        for worker in workers:
            worker.terminate()
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                worker.kill()
        with Connection(AMQP) as conn:
            Queue(f"evt-organization-organization.unit_moved--{consumer}.on_organization_unit_moved",
                  channel=conn.channel()).delete()
    with engine.connect() as conn:
        ordered = sorted(conn.execute(select(latency.c.latency_ms)).scalars())
    if not ordered:
        return float("nan"), float("nan"), 0, float("nan")
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99, len(ordered), cpu * 1000 / len(ordered)


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(latency)).scalar()


def run() -> None:
    name = f"pb_bench_{uuid.uuid4().hex[:8]}"
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    queue_name = f"bench-relay-{uuid.uuid4().hex[:8]}"
    try:
        upgrade(PRODUCER, url)
        engine = make_engine(url, PRODUCER, pool_size=4)
        with Connection(AMQP) as conn:
            exchange = Exchange(f"{PRODUCER}.events", type="topic", durable=True)
            exchange(conn.channel()).declare()
            # A bound queue, so the broker routes and persists what it confirms, as in production.
            Queue(queue_name, exchange=exchange, routing_key="organization.unit_moved",
                  auto_delete=False)(conn.channel()).declare()
        raw = _raw_kombu_confirms(queue_name)
        with Connection(AMQP) as conn:
            Queue(queue_name)(conn.channel()).purge()
        relay = _relay_throughput(engine)
        with Connection(AMQP) as conn:
            Queue(queue_name)(conn.channel()).purge()
        print("\n== relay benchmark: PostgreSQL outbox -> RabbitMQ -> nameko ==")
        print(f"relay: {relay:,.0f} events/s with broker confirms ({THROUGHPUT_EVENTS} events, batches of 1000)"
              f"   aim >= 2,000: {'met' if relay >= 2000 else 'missed'}")
        print(f"raw kombu publish-with-confirms loop: {raw:,.0f} msgs/s; relay/raw = {relay / raw:.1f}x")
        for n_workers in E2E_WORKERS:
            p50, p99, n, cpu_ms = _e2e_latency(engine, url, n_workers)
            aims = ""
            if n_workers == 1:
                aims = (f"   aim p99 < 200 ms: {'met' if p99 < 200 else 'missed'}, "
                        f"CPU < 1 ms/event: {'met' if cpu_ms < 1 else 'missed'}")
            print(f"commit -> nameko handler at {E2E_RATE} events/s for {E2E_SECONDS} s, {n_workers} worker "
                  f"process(es): p50 {p50:.1f} ms, p99 {p99:.1f} ms, worker CPU {cpu_ms:.2f} ms/event "
                  f"({n} handled){aims}", flush=True)
        engine.dispose()
    finally:
        with Connection(AMQP) as conn:
            Queue(queue_name)(conn.channel()).delete()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    run()
