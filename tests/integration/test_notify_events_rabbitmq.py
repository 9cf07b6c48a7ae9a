"""A points threshold crossing reaches notify's inbox through PostgreSQL, the points relay,
RabbitMQ and a real nameko worker hosting notify, with the crossing published before that
worker ever started: the relay declares notify's queues (the registered topology) first, so the
broker keeps the event for it instead of dropping it unrouted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import grpc
import pytest
from partybuilding.assessment.v1 import assessment_service_pb2_grpc as agrpc
from partybuilding.notify.v1 import notify_service_pb2 as nspb
from partybuilding.notify.v1 import notify_service_pb2_grpc as ngrpc
from partybuilding.organization.v1 import organization_service_pb2 as opb
from partybuilding.organization.v1 import organization_service_pb2_grpc as ogrpc
from partybuilding.points.v1 import points_service_pb2_grpc as pgrpc

from services.common.config import Settings
from services.common.events.publisher import AmqpPublisher
from services.common.events.registry import registered_topology
from services.common.events.relay import OutboxRelay, outbox_lag
from services.platform import SERVICES, build_runtime, build_server, migrate_all
from tests.conftest import Platform
from tests.helpers import private_vhost, wait_for
from tests.integration.ledger_setup import LedgerCounty
from tests.integration.notify_event_feed import inbox

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres]
ROOT = Path(__file__).resolve().parents[2]
AMQP_BASE = os.environ.get("PB_TEST_AMQP_BASE", "amqp://guest:guest@127.0.0.1:5672/")


@pytest.fixture
def wired(pg_database, tmp_path):
    with private_vhost("pb-notify") as vhost:
        amqp = AMQP_BASE + vhost
        settings = Settings.from_env({"PB_DATABASE_URL": pg_database, "PB_ALLOW_DEV_SECRET": "1",
                                      "PB_VAR_DIR": str(tmp_path), "PB_GRPC_PORT": "0"})
        migrate_all(settings)
        runtimes = [build_runtime(name, settings) for name in SERVICES]
        server, port, _ = build_server(settings, runtimes, "127.0.0.1:0")
        server.start()
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        platform = Platform("postgres", settings, ogrpc.OrganizationServiceStub(channel), channel, runtimes, port,
                            points=pgrpc.PointsServiceStub(channel), notify=ngrpc.NotifyServiceStub(channel),
                            assessment=agrpc.AssessmentServiceStub(channel))
        publisher = AmqpPublisher(amqp, registered_topology(SERVICES))
        relay = OutboxRelay(platform.runtime("points").engine, "points", publisher.publish_batch, poll_interval=0.05)
        thread = threading.Thread(target=relay.run, daemon=True)
        thread.start()
        worker: list[subprocess.Popen] = []
        try:
            yield platform, amqp, worker, tmp_path
        finally:
            for proc in worker:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
            relay.stop()
            thread.join(10)
            publisher.close()
            channel.close()
            server.stop(None)
            for rt in runtimes:
                rt.engine.dispose()


def start_notify_worker(amqp: str, database_url: str, work: Path) -> subprocess.Popen:
    config = work / "nameko.yaml"
    config.write_text(f"AMQP_URI: '{amqp}'\nmax_workers: 4\n")
    env = {**os.environ, "PB_DATABASE_URL": database_url, "PB_AMQP_URI": amqp, "PB_ALLOW_DEV_SECRET": "1",
           "PB_WORKER_SERVICES": "notify", "PYTHONPATH": str(ROOT), "PB_METRICS_PORT": "0"}
    return subprocess.Popen([str(Path(sys.executable).parent / "nameko"), "run", "--config", str(config),
                             "services.common.events.worker"], env=env, cwd=ROOT,
                            stdout=(work / "worker.log").open("w"), stderr=subprocess.STDOUT)


def test_a_crossing_published_before_notifys_worker_started_reaches_the_inbox(wired):
    platform, amqp, worker, work = wired
    c = LedgerCounty(platform)
    c.post(opb.SECRETARY, c.villages[0].name, c.members[1].name)
    platform.notify.ResyncDirectory(nspb.ResyncDirectoryRequest(parent=c.parent), metadata=platform.operator())
    for _ in range(3):
        c.record(c.members[0].name, "LATE")
    points = platform.runtime("points").engine
    wait_for(lambda: outbox_lag(points)[0] == 0, timeout=60, what="the points relay to publish the crossing")
    assert inbox(platform, c.villages[0].name, c.admin).total_size == 0  # nobody consumed it yet
    worker.append(start_notify_worker(amqp, platform.settings.database_url, work))
    wait_for(lambda: inbox(platform, c.villages[0].name, c.admin).total_size == 1, timeout=120,
             what=f"notify's worker to turn the crossing into a message (see {work / 'worker.log'})")
    for ref in (c.members[0].name, c.members[1].name):
        [msg] = inbox(platform, ref, c.admin).messages
        assert "提醒谈话" in msg.body
