"""`make run-distributed` as production runs it: gRPC server and relay as separate processes on
PostgreSQL and RabbitMQ; a change made through gRPC reaches the broker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import grpc
import psycopg
import pytest
from kombu import Connection, Exchange, Queue
from partybuilding.organization.v1 import organization_service_pb2 as pb
from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc

from services.common.events.envelope import UnreadableEvent, from_wire
from tests.conftest import PG_ADMIN, creds, fresh_county_code, token
from tests.e2e.processes import free_port, wait_serving

AMQP = os.environ.get("PB_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672//")


@pytest.fixture(scope="module")
def distributed():
    db = f"pb_dist_{uuid.uuid4().hex[:8]}"
    grpc_port, metrics_port = free_port(), free_port()
    env = {**os.environ, "PB_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{db}",
           "PB_AMQP_URI": AMQP, "PB_GRPC_PORT": str(grpc_port), "PB_METRICS_PORT": str(metrics_port)}
    # The listener exists before anything is published, so nothing the relay sends is missed.
    queue = Queue(f"test-dist-{db}", Exchange("organization.events", type="topic", durable=True),
                  routing_key="organization.#", auto_delete=False)
    with Connection(AMQP) as conn:
        queue(conn.channel()).declare()
    proc = subprocess.Popen([sys.executable, "-m", "services.pbctl.main", "run-distributed"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    channel = grpc.insecure_channel(f"127.0.0.1:{grpc_port}")
    try:
        wait_serving(proc, channel)
        yield proc, pb_grpc.OrganizationServiceStub(channel), queue
    finally:
        channel.close()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        with Connection(AMQP) as conn:
            queue(conn.channel()).delete()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def _received(queue: Queue, tenant: str, want: int, timeout: float = 30) -> list:
    """The first `want` events of `tenant`: other test runs on this broker publish to the same exchange."""
    got = []
    deadline = time.monotonic() + timeout
    with Connection(AMQP) as conn:
        bound = queue(conn.channel())
        while len(got) < want and time.monotonic() < deadline:
            message = bound.get(no_ack=True)
            if message is None:
                time.sleep(0.1)
                continue
            try:
                event = from_wire(message.payload)
            except UnreadableEvent:
                continue
            if event.tenant == tenant:
                got.append(event)
    return got


def test_a_unit_created_through_grpc_is_published_by_the_relay_process(distributed):
    _proc, stub, queue = distributed
    operator = creds(token("operator", ["*"]))
    code = fresh_county_code()
    stub.CreateTenant(pb.CreateTenantRequest(tenant=pb.Tenant(code=code, display_name="测试县",
                                                              city_code=code[:4] + "00")), metadata=operator)
    town = stub.CreateUnit(pb.CreateUnitRequest(parent=f"tenants/{code}", unit=pb.Unit(
        type=pb.TOWNSHIP, display_name="彭镇")), metadata=creds(token("county_admin", [code])))
    events = _received(queue, code, 2)
    assert [(e.type, e.tenant, e.producer) for e in events] == [
        ("organization.tenant_created", code, "organization"),
        ("organization.unit_created", code, "organization"),
    ]
    assert events[1].payload["unit"] == town.name
    assert events[0].sequence < events[1].sequence


def test_the_roles_stop_together_on_sigterm(distributed):
    proc, _stub, _queue = distributed
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
