"""The event backbone against real PostgreSQL and RabbitMQ, with separate relay and worker processes.

The consumer is tests/integration/event_consumer.py under `nameko run`; the relay is
`pbctl events relay`. Faults: broker stopped, relay, worker and server killed, the database
unreachable, a poison message. The four outage scenarios run here briefly; `make faults` runs
them at full length (PB_FAULT_BROKER_SECONDS=60, PB_FAULT_DB_SECONDS=15) and prints a report.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
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
from services.common.events.envelope import from_wire
from services.common.events.registry import registered_topology
from services.common.events.relay import outbox, outbox_lag
from services.platform import SERVICES, build_runtime, build_server, migrate_all
from tests.conftest import PG_ADMIN, Platform
from tests.e2e.processes import free_port, wait_serving
from tests.helpers import County, on_running_broker, rabbitmqctl, wait_for
from tests.integration import event_consumer

pytestmark = [pytest.mark.rabbitmq, pytest.mark.faults, pytest.mark.postgres]

# A virtual host of our own: other test runs on the same broker bind `organization.#` queues,
# which would route (and so hide) the events these tests expect the broker to return.
VHOST = f"pb-test-{uuid.uuid4().hex[:8]}"
AMQP = os.environ.get("PB_TEST_AMQP_BASE", "amqp://guest:guest@127.0.0.1:5672/") + VHOST
ROOT = Path(__file__).resolve().parents[2]
BROKER_DOWN = float(os.environ.get("PB_FAULT_BROKER_SECONDS", "3"))
DB_DOWN = float(os.environ.get("PB_FAULT_DB_SECONDS", "3"))


class Stack:
    """The organization service in this process, relay and worker as child processes."""

    def __init__(self, platform: Platform, rt, markers: Path, env: dict):
        self.platform, self.rt, self.markers, self.env = platform, rt, markers, env
        self.consumer = env["PB_TEST_CONSUMER"]
        self.queue = f"evt-organization-organization.unit_moved--{self.consumer}.on_organization_unit_moved"
        self.relay: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.worker_metrics = self.relay_metrics = 0

    def start_relay(self, backoff_max: float = 1) -> None:
        self.relay_metrics = free_port()
        self.relay = subprocess.Popen(
            [sys.executable, "-m", "services.pbctl.main", "events", "relay", "--service", "organization",
             "--poll-interval", "0.05", "--backoff-max", str(backoff_max)],
            env={**self.env, "PB_METRICS_PORT": str(self.relay_metrics)}, cwd=ROOT)
        wait_for(lambda: self.metrics(self.relay_metrics) is not None, what="the relay's metrics")

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

    def relay_gauge(self, name: str) -> float:
        m = re.search(rf'^{name}\{{producer="organization"\}} ([0-9.e+-]+)$', self.metrics(self.relay_metrics) or "",
                      re.MULTILINE)
        return float(m.group(1)) if m else 0.0

    def kill(self, proc: subprocess.Popen | None) -> None:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)

    def metrics(self, port: int = 0) -> str | None:
        try:
            url = f"http://127.0.0.1:{port or self.worker_metrics}/metrics"
            return urllib.request.urlopen(url, timeout=2).read().decode()
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
def vhost():
    on_running_broker("add_vhost", VHOST)
    on_running_broker("set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*")
    yield
    on_running_broker("delete_vhost", VHOST)


@pytest.fixture(scope="module")
def stack(pg_database, tmp_path_factory, vhost):
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
           "PB_TEST_ATTEMPTS": "2", "PYTHONPATH": str(ROOT),
           # The relay and `pbctl events declare` learn the test consumer's queue from here.
           "PB_EVENT_HANDLERS": "tests.integration.event_consumer"}
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

    def move(self, reason: str, stub=None, timeout: float | None = None) -> None:
        self.at = 1 - self.at
        (stub or self.county.s).MoveUnit(pb.MoveUnitRequest(
            name=self.station.name, new_parent=self.towns[self.at].name, reason=reason),
            metadata=self.county.admin, timeout=timeout)


def test_a_moved_unit_reaches_a_consumer_in_another_process_once(stack):
    mover = Mover(stack)
    reason = f"e2e-{uuid.uuid4().hex[:6]}"
    mover.move(reason)
    (row,) = wait_for(lambda: stack.received([reason]), what="the event")
    assert row.tenant == mover.county.code
    time.sleep(0.5)
    assert len(stack.received([reason])) == 1


class Writer(threading.Thread):
    """Moves a station back and forth about `rate` times a second; remembers the acknowledged moves."""

    def __init__(self, mover: Mover, stub=None, rate: float = 50):
        super().__init__(daemon=True)
        self.mover, self.stub, self.rate = mover, stub or mover.county.s, rate
        self.acknowledged: list[str] = []
        self.failed = 0
        self.done = threading.Event()
        self.run_id = uuid.uuid4().hex[:6]

    def run(self) -> None:
        i = 0
        while not self.done.is_set():
            reason = f"w-{self.run_id}-{i}"
            i += 1
            try:
                self.mover.move(reason, self.stub, timeout=5)
                self.acknowledged.append(reason)
            except grpc.RpcError:
                # Not acknowledged: it may or may not have committed; either way nothing is owed.
                self.failed += 1
                self.mover.at = 1 - self.mover.at
                time.sleep(0.2)
            time.sleep(1 / self.rate)

    def stop(self) -> None:
        self.done.set()
        self.join(30)


def check_delivery(stack: Stack, writer: Writer, scenario: str, duplicates_before: float, lag_rose) -> None:
    """0 lost, no sequence going backwards or skipping, duplicates counted; prints the figures."""
    tenant = writer.mover.county.code
    wanted = set(writer.acknowledged)

    def arrived():
        rows = [r for r in stack.received() if r.tenant == tenant]
        return rows if wanted <= {r.reason for r in rows} else None

    rows = wait_for(arrived, timeout=180, what=f"every acknowledged move ({scenario})")
    seqs = [r.sequence for r in rows]
    backwards = sum(1 for a, b in zip(seqs, seqs[1:], strict=False) if b <= a)
    gaps = sum(1 for a, b in zip(seqs, seqs[1:], strict=False) if b > a + 1)
    duplicates = stack.handled("duplicate") - duplicates_before
    print(f"\n[faults] {scenario}: {len(wanted)} acknowledged writes ({writer.failed} refused), "
          f"{len(rows)} events received, lost 0, duplicates {duplicates:.0f}, order violations {backwards}, "
          f"gaps {gaps}, lag gauges rose: {lag_rose}")
    assert len(rows) == len({r.event_id for r in rows})
    assert backwards == 0 and gaps == 0


def test_a_relay_started_before_any_worker_loses_nothing(stack):
    """Nothing bound when the relay starts, then the queue deleted under it: every event still arrives."""
    mover = Mover(stack)
    run = uuid.uuid4().hex[:6]
    early, late = [f"early-{run}-{i}" for i in range(3)], [f"late-{run}-{i}" for i in range(2)]

    # Every queue a unit move reaches: the test consumer's and those of the services that consume
    # it too (points keeps a directory), or the broker would still route, not return, the events.
    moved = [b.queue for b in registered_topology(SERVICES).bindings if b.event_type == "organization.unit_moved"]

    def without_queue() -> None:
        stack.kill(stack.worker)
        with Connection(AMQP) as conn:
            for name in [stack.queue, *moved]:
                Queue(name, channel=conn.channel()).delete()

    stack.kill(stack.relay)
    without_queue()
    try:
        stack.start_relay()  # declares the consumer's queue before it publishes anything
        for reason in early:
            mover.move(reason)
        wait_for(lambda: outbox_lag(stack.rt.engine)[0] == 0, what="the relay to publish with no worker")
    finally:
        stack.start_worker()
    wait_for(lambda: len(stack.received(early)) == 3, what="events published before the worker started")

    wait_for(lambda: outbox_lag(stack.rt.engine)[0] == 0, what="a quiet outbox")
    without_queue()  # behind the running relay's back: the broker now returns what follows
    returned_before = stack.relay_gauge("relay_returned_total")
    try:
        for reason in late:
            mover.move(reason)
        wait_for(lambda: stack.relay_gauge("relay_returned_total") > returned_before, what="a returned event")
        wait_for(lambda: outbox_lag(stack.rt.engine)[0] == 0, what="the returned events to be re-sent")
    finally:
        stack.start_worker()
    wait_for(lambda: len(stack.received(late)) == 2, what="the returned events")
    time.sleep(0.5)
    assert sorted(r.reason for r in stack.received(early + late)) == sorted(early + late)


def test_eight_concurrent_writers_in_one_tenant_leave_in_commit_order_without_gaps(stack):
    everything = Queue(f"test-order-{uuid.uuid4().hex[:8]}", Exchange("organization.events", type="topic", durable=True),
                       routing_key="organization.#", auto_delete=False)
    with Connection(AMQP) as conn:
        everything(conn.channel()).declare()
    try:
        county = County(stack.platform)
        town = county.unit(pb.TOWNSHIP, "并发镇")

        def write(i: int) -> None:
            for j in range(20):
                county.unit(pb.VILLAGE, f"村{i}-{j}", town.name)

        threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wait_for(lambda: outbox_lag(stack.rt.engine)[0] == 0, what="the outbox to drain")
        seqs = []
        with Connection(AMQP) as conn:
            bound = everything(conn.channel())
            while (message := bound.get(no_ack=True)) is not None:
                env = from_wire(message.payload)
                if env.tenant == county.code:
                    seqs.append(env.sequence)
    finally:
        with Connection(AMQP) as conn:
            everything(conn.channel()).delete()
    # tenant created, the township, 160 villages: numbered 1..162 in the order they were published.
    assert seqs == list(range(1, 163))


def broker_up() -> bool:
    """Whether the AMQP listener accepts (stop_app closes it)."""
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
        return True
    except OSError:
        return False


def test_scenario_broker_stopped(stack):
    stack.kill(stack.relay)
    stack.start_relay(backoff_max=30)  # the production default: recovery must not wait it out
    writer = Writer(Mover(stack))
    duplicates = stack.handled("duplicate")
    writer.start()
    time.sleep(1)
    samples = []  # (age, unsent, broker answering) once a second through the outage
    rabbitmqctl("stop_app")
    try:
        deadline = time.monotonic() + max(BROKER_DOWN, 3.0)
        while time.monotonic() < deadline:
            time.sleep(1)
            samples.append((stack.relay_gauge("outbox_oldest_unsent_age_seconds"),
                            stack.relay_gauge("outbox_unsent_events"), broker_up()))
    finally:
        rabbitmqctl("start_app")
    back = time.monotonic()
    peak = max(unsent for _, unsent, _ in samples)
    wait_for(lambda: stack.relay_gauge("outbox_unsent_events") < peak, timeout=60, what="the drain")
    drain = time.monotonic() - back
    # Other test runs may restart the shared broker meanwhile: say so rather than hide it.
    restarted = sum(1 for *_, up in samples if up)
    print(f"\n[faults] broker stopped {BROKER_DOWN:.0f} s: drain began {drain:.1f} s after start_app; "
          f"gauges during the outage: age {samples[0][0]:.1f} -> max {max(a for a, *_ in samples):.1f} s, "
          f"unsent {samples[0][1]:.0f} -> max {peak:.0f}"
          + (f" (the broker answered in {restarted} of {len(samples)} samples: restarted by someone else)"
             if restarted else ""))
    writer.stop()
    down = [(age, unsent) for age, unsent, up in samples if not up]
    assert len(down) >= 2, "another process restarted the shared broker during the whole outage"
    assert max(a for a, _ in down[1:]) > down[0][0] > 0 and max(u for _, u in down[1:]) > down[0][1] > 0
    check_delivery(stack, writer, f"broker stopped {BROKER_DOWN:.0f} s", duplicates, True)


def test_scenario_relay_killed_mid_batch(stack):
    writer = Writer(Mover(stack), rate=100)
    duplicates = stack.handled("duplicate")
    writer.start()
    try:
        time.sleep(1.5)
        stack.kill(stack.relay)
        time.sleep(1.5)
        lag = outbox_lag(stack.rt.engine)
    finally:
        stack.start_relay()
    time.sleep(1)
    writer.stop()
    check_delivery(stack, writer, "relay killed mid-batch", duplicates, f"{lag[0]} unsent, {lag[1]:.1f} s")
    assert lag[0] > 0


def test_scenario_server_killed(stack, tmp_path):
    mover = Mover(stack)
    port = free_port()
    env = {**stack.env, "PB_GRPC_PORT": str(port), "PB_METRICS_PORT": "0", "PB_VAR_DIR": str(tmp_path)}
    argv = [sys.executable, "-m", "services.pbctl.main", "serve"]
    server = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    writer = Writer(mover, pb_grpc.OrganizationServiceStub(channel))
    duplicates = stack.handled("duplicate")
    try:
        wait_serving(server, channel)
        writer.start()
        time.sleep(1.5)
        stack.kill(server)
        time.sleep(1)
        server = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True)
        wait_serving(server, channel)
        time.sleep(1)
    finally:
        writer.stop()
        stack.kill(server)
        channel.close()
    assert writer.failed > 0
    check_delivery(stack, writer, "server killed", duplicates, "n/a (the relay kept up)")


def test_scenario_database_unreachable(stack, pg_database):
    """The test database refuses connections and its sessions are ended: PostgreSQL "down" for us only."""
    name = pg_database.rsplit("/", 1)[1]
    writer = Writer(Mover(stack))
    duplicates = stack.handled("duplicate")
    writer.start()
    time.sleep(1)
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        try:
            admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
            deadline = time.monotonic() + DB_DOWN
            while time.monotonic() < deadline:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
                time.sleep(0.2)
            age = stack.relay_gauge("outbox_oldest_unsent_age_seconds")
        finally:
            admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
    time.sleep(2)
    writer.stop()
    check_delivery(stack, writer, f"database unreachable {DB_DOWN:.0f} s", duplicates,
                   f"age {age:.1f} s at the end of the outage")


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


def test_dead_letters_are_replayed_once_their_cause_is_fixed(stack):
    """The runbook's `pbctl events replay-dead-letters`: parked on RabbitMQ delivery, replayed once."""
    switch = stack.markers / "fail-switch"
    switch.touch()
    Mover(stack).move("fail")

    def parked():
        return [d for d in list_dead_letters(stack.rt.engine, stack.consumer) if d.type == "organization.unit_moved"]

    (letter,) = wait_for(parked, what="the refused event to be parked")
    switch.unlink()
    command = [sys.executable, "-m", "services.pbctl.main", "events", "replay-dead-letters", "--service",
               "organization", "--consumer", stack.consumer, "--handlers", "tests.integration.event_consumer"]
    first = subprocess.run(command, env=stack.env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert f"{letter.id}\t{stack.consumer}\torganization.unit_moved\tapplied" in first.stdout, first.stdout + first.stderr
    assert [r.reason for r in stack.received(["fail"])] == ["fail"] and parked() == []
    again = subprocess.run(command, env=stack.env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "organization.unit_moved" not in again.stdout and len(stack.received(["fail"])) == 1
