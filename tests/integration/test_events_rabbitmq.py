"""The event backbone against real PostgreSQL and RabbitMQ, with separate relay and worker processes.

The consumer is tests/integration/event_consumer.py under `nameko run`; the relay is
`pbctl events relay`. Faults: broker stopped, relay and worker killed, a poison message.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import grpc
import psycopg
import pytest
from kombu import Connection, Exchange, Producer, Queue
from partybuilding.organization.v1 import organization_service_pb2 as pb
from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc
from sqlalchemy import select, text

from services.common.config import Settings
from services.common.events.consumer import list_dead_letters
from services.common.events.relay import outbox, outbox_lag
from services.platform import build_runtime, build_server, migrate_all
from tests.conftest import Platform
from tests.e2e.processes import free_port
from tests.helpers import County, wait_for
from tests.integration import event_consumer

pytestmark = [pytest.mark.rabbitmq, pytest.mark.faults, pytest.mark.postgres]

AMQP = os.environ.get("PB_TEST_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672//")
ROOT = Path(__file__).resolve().parents[2]


class Stack:
    """The organization service in this process, relay and worker as child processes."""

    def __init__(self, platform: Platform, rt, markers: Path, env: dict):
        self.platform, self.rt, self.markers, self.env = platform, rt, markers, env
        self.consumer = env["PB_TEST_CONSUMER"]
        self.queue = f"evt-organization-organization.unit_moved--{self.consumer}.on_organization_unit_moved"
        self.relay: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.worker_metrics = 0

    def start_relay(self) -> None:
        self.relay = subprocess.Popen(
            [sys.executable, "-m", "services.pbctl.main", "events", "relay", "--service", "organization",
             "--poll-interval", "0.05", "--backoff-max", "1"],
            env={**self.env, "PB_METRICS_PORT": "0"}, cwd=ROOT)

    def start_worker(self) -> None:
        self.worker_metrics = free_port()
        config = self.markers / "nameko.yaml"
        config.write_text(f"AMQP_URI: '{AMQP}'\nmax_workers: 1\n")
        self.worker = subprocess.Popen(
            [str(Path(sys.executable).parent / "nameko"), "run", "--config", str(config),
             "tests.integration.event_consumer"],
            env={**self.env, "PB_METRICS_PORT": str(self.worker_metrics)}, cwd=ROOT)

        def queue_ready() -> bool:
            try:
                with Connection(AMQP, connect_timeout=2) as conn:
                    Queue(self.queue, channel=conn.channel()).queue_declare(passive=True)
                    return True
            except Exception:
                return False

        wait_for(queue_ready, what="the worker's queue")
        wait_for(lambda: self.metrics() is not None, what="the worker's metrics")

    def kill(self, proc: subprocess.Popen | None) -> None:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)

    def metrics(self) -> str | None:
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{self.worker_metrics}/metrics", timeout=2).read().decode()
        except OSError:
            return None

    def handled(self, outcome: str) -> float:
        body = self.metrics() or ""
        pattern = (rf'events_handled_total\{{consumer="{re.escape(self.consumer)}",outcome="{outcome}",'
                   rf'type="organization.unit_moved"\}} ([0-9.e+]+)')
        m = re.search(pattern, body)
        return float(m.group(1)) if m else 0.0

    def received(self, reasons: list[str] | None = None) -> list:
        r = event_consumer.received
        q = select(r).where(r.c.consumer == self.consumer).order_by(r.c.id)
        if reasons is not None:
            q = q.where(r.c.reason.in_(reasons))
        with self.rt.engine.connect() as conn:
            return conn.execute(q).all()


@pytest.fixture(scope="module")
def stack(pg_database, tmp_path_factory):
    settings = Settings.from_env({"PB_DATABASE_URL": pg_database, "PB_ALLOW_DEV_SECRET": "1",
                                  "PB_VAR_DIR": str(tmp_path_factory.mktemp("var")), "PB_GRPC_PORT": "0"})
    migrate_all(settings)
    rt = build_runtime("organization", settings)
    event_consumer.received.create(rt.engine, checkfirst=True)
    with rt.engine.begin() as conn:
        conn.execute(text("GRANT SELECT, INSERT ON test_received_events TO pb_app"))
        conn.execute(text("GRANT USAGE ON ALL SEQUENCES IN SCHEMA organization TO pb_app"))
    server, port, _ = build_server(settings, [rt], "127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    platform = Platform("postgres", settings, pb_grpc.OrganizationServiceStub(channel), channel, [rt], port)
    markers = tmp_path_factory.mktemp("markers")
    env = {**os.environ, "PB_DATABASE_URL": pg_database, "PB_AMQP_URI": AMQP, "PB_ALLOW_DEV_SECRET": "1",
           "PB_TEST_CONSUMER": f"test-consumer-{uuid.uuid4().hex[:8]}", "PB_TEST_MARKERS": str(markers),
           "PB_TEST_ATTEMPTS": "2", "PYTHONPATH": str(ROOT)}
    s = Stack(platform, rt, markers, env)
    s.start_worker()
    s.start_relay()
    yield s
    s.kill(s.relay)
    s.kill(s.worker)
    with Connection(AMQP) as conn:
        Queue(s.queue, channel=conn.channel()).delete()
    channel.close()
    server.stop(None)
    rt.engine.dispose()


class Mover:
    """A work station that moves between two townships of one county, one event per move."""

    def __init__(self, stack: Stack):
        self.county = County(stack.platform)
        self.towns = [self.county.unit(pb.TOWNSHIP, f"镇{i}") for i in range(2)]
        self.station = self.county.unit(pb.WORK_STATION, "工作站", self.towns[0].name)
        self.at = 0

    def move(self, reason: str) -> None:
        self.at = 1 - self.at
        self.county.s.MoveUnit(pb.MoveUnitRequest(name=self.station.name, new_parent=self.towns[self.at].name,
                                                  reason=reason), metadata=self.county.admin)


def test_a_moved_unit_reaches_a_consumer_in_another_process_once(stack):
    mover = Mover(stack)
    reason = f"e2e-{uuid.uuid4().hex[:6]}"
    mover.move(reason)
    (row,) = wait_for(lambda: stack.received([reason]), what="the event")
    assert row.tenant == mover.county.code
    time.sleep(0.5)
    assert len(stack.received([reason])) == 1


def test_broker_down_then_back_delivers_exactly_n_in_tenant_order(stack):
    movers = [Mover(stack), Mover(stack)]
    run = uuid.uuid4().hex[:6]
    reasons = [f"down-{run}-{i}" for i in range(12)]
    subprocess.run(["rabbitmqctl", "-q", "stop_app"], check=True, timeout=60)
    try:
        for i, reason in enumerate(reasons):
            movers[i % 2].move(reason)
        assert outbox_lag(stack.rt.engine)[0] >= len(reasons)
        time.sleep(1.5)  # the relay retries against a stopped broker meanwhile
    finally:
        subprocess.run(["rabbitmqctl", "-q", "start_app"], check=True, timeout=120)
    rows = wait_for(lambda: (r := stack.received(reasons)) and len(r) >= len(reasons) and r,
                    timeout=120, what="all events after the broker came back")
    time.sleep(1.0)
    rows = stack.received(reasons)
    assert len(rows) == len(reasons) == len({r.event_id for r in rows})
    for m in movers:
        mine = [r for r in rows if r.tenant == m.county.code]
        assert [r.reason for r in mine] == [x for i, x in enumerate(reasons) if movers[i % 2] is m]
        assert [r.sequence for r in mine] == sorted(r.sequence for r in mine)


def test_relay_killed_between_publish_and_mark_sent_is_applied_once(stack, pg_database):
    mover = Mover(stack)
    wait_for(lambda: outbox_lag(stack.rt.engine)[0] == 0, what="the outbox to drain")
    admin_url = pg_database.replace("postgresql+psycopg://", "postgresql://")
    hold = psycopg.connect(admin_url, autocommit=True)

    def release() -> None:
        # The killed relay's backend still waits on the lock; end it so its transaction rolls back.
        hold.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND wait_event = 'advisory' AND pid <> pg_backend_pid()")
        hold.execute("SELECT pg_advisory_unlock_all()")
        hold.execute("DROP TRIGGER IF EXISTS test_hold_mark_sent ON organization.outbox")

    reason = f"relay-kill-{uuid.uuid4().hex[:6]}"
    try:
        # Marking sent is an UPDATE of outbox: a trigger makes it wait on a lock this test holds,
        # so the relay is stopped exactly after the broker confirmed the publish.
        hold.execute("SELECT pg_advisory_lock(424242)")
        hold.execute("""CREATE OR REPLACE FUNCTION organization.test_hold_mark_sent() RETURNS trigger AS $$
                        BEGIN PERFORM pg_advisory_lock(424242); PERFORM pg_advisory_unlock(424242); RETURN NEW; END
                        $$ LANGUAGE plpgsql""")
        hold.execute("CREATE TRIGGER test_hold_mark_sent BEFORE UPDATE ON organization.outbox "
                     "FOR EACH ROW EXECUTE FUNCTION organization.test_hold_mark_sent()")
        mover.move(reason)
        wait_for(lambda: stack.received([reason]), what="the first publish")
    finally:
        stack.kill(stack.relay)
        release()
        hold.close()
        stack.start_relay()
    duplicates_before = stack.handled("duplicate")

    def resent() -> bool:
        with stack.rt.engine.connect() as conn:
            return conn.execute(text("SELECT sent_at FROM outbox o WHERE payload LIKE :r"),
                                {"r": f"%{reason}%"}).scalar() is not None

    wait_for(resent, what="the new relay to resend")
    wait_for(lambda: stack.handled("duplicate") > duplicates_before, what="the redelivered duplicate")
    assert len(stack.received([reason])) == 1


def test_worker_killed_mid_handler_is_redelivered_and_applied_once(stack):
    mover = Mover(stack)
    mover.move("slow")
    wait_for(lambda: list(stack.markers.glob("slow-*")), what="the handler to start")
    stack.kill(stack.worker)
    stack.start_worker()
    rows = wait_for(lambda: [r for r in stack.received(["slow"]) if r.tenant == mover.county.code],
                    what="the redelivered event")
    time.sleep(0.5)
    assert len(rows) == 1 == len([r for r in stack.received(["slow"]) if r.tenant == mover.county.code])


def test_poison_message_is_parked_and_the_queue_keeps_flowing(stack):
    with Connection(AMQP) as conn:
        exchange = Exchange("organization.events", type="topic", durable=True)
        Producer(conn.channel()).publish({"garbage": "no envelope"}, exchange=exchange, declare=[exchange],
                                         routing_key="organization.unit_moved", serializer="json")
    mover = Mover(stack)
    reason = f"after-poison-{uuid.uuid4().hex[:6]}"
    mover.move(reason)
    wait_for(lambda: stack.received([reason]), what="the event behind the poison message")
    parked = [d for d in list_dead_letters(stack.rt.engine, stack.consumer) if "garbage" in d.body]
    assert len(parked) == 1 and "not an event envelope" in parked[0].reason


def test_outbox_rows_are_marked_sent(stack):
    wait_for(lambda: outbox_lag(stack.rt.engine)[0] == 0, what="an empty outbox")
    with stack.rt.engine.connect() as conn:
        assert conn.execute(select(outbox.c.seq).where(outbox.c.sent_at.is_(None))).first() is None
