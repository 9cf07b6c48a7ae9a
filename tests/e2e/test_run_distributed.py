"""`make run-distributed` as production runs it: gRPC server, relays and the nameko worker as
separate processes on PostgreSQL and RabbitMQ; a change made through gRPC reaches the broker, and
the points service's directory through its worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass

import grpc
import psycopg
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from kombu import Connection, Exchange, Queue
from partybuilding.organization.v1 import organization_service_pb2 as pb
from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc
from partybuilding.points.v1 import points_ledger_pb2 as lpb
from partybuilding.points.v1 import points_service_pb2 as ppb
from partybuilding.points.v1 import points_service_pb2_grpc as pts_grpc

from services.common.events.envelope import UnreadableEvent, from_wire
from tests.conftest import PG_ADMIN, creds, fresh_county_code, token
from tests.e2e.processes import free_port, free_ports, wait_serving
from tests.helpers import id_card, private_vhost

# scheme://user:password@host:port, without its vhost
BROKER = "/".join(os.environ.get("PB_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672//").split("/")[:3])


@dataclass
class Distributed:
    proc: subprocess.Popen
    stub: pb_grpc.OrganizationServiceStub
    queue: Queue
    points: pts_grpc.PointsServiceStub
    points_queue: Queue
    database_url: str
    amqp: str


@pytest.fixture(scope="module")
def amqp():
    """The broker on a vhost of this run: another run-distributed (a parallel test run, a bench)
    has workers on queues of the same names, which would take this run's events."""
    with private_vhost("pb-dist") as vhost:
        yield f"{BROKER}/{vhost}"


@pytest.fixture(scope="module")
def distributed(amqp, tmp_path_factory):
    db = f"pb_dist_{uuid.uuid4().hex[:8]}"
    # Every role serves /metrics on the next port up (services/pbctl/distributed.py).
    grpc_port, metrics_port = free_port(), free_ports(16)
    env = {**os.environ, "PB_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{db}",
           "PB_AMQP_URI": amqp, "PB_GRPC_PORT": str(grpc_port), "PB_METRICS_PORT": str(metrics_port)}
    # The listener exists before anything is published, so nothing the relay sends is missed.
    queue = Queue(f"test-dist-{db}", Exchange("organization.events", type="topic", durable=True),
                  routing_key="organization.#", auto_delete=False)
    points_queue = Queue(f"test-dist-points-{db}", Exchange("points.events", type="topic", durable=True),
                         routing_key="points.#", auto_delete=False)
    with Connection(amqp) as conn:
        queue(conn.channel()).declare()
        points_queue(conn.channel()).declare()
    # Output to a file: a pipe nobody drains fills with the processes' logs and blocks them.
    output = tmp_path_factory.mktemp("dist") / "run-distributed.log"
    with output.open("w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "services.pbctl.main", "run-distributed"], env=env,
                                stdout=sink, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    channel = grpc.insecure_channel(f"127.0.0.1:{grpc_port}")
    try:
        wait_serving(proc, channel, output=output)
        yield Distributed(proc, pb_grpc.OrganizationServiceStub(channel), queue,
                          pts_grpc.PointsServiceStub(channel), points_queue, env["PB_DATABASE_URL"], amqp)
    finally:
        channel.close()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def _received(amqp: str, queue: Queue, tenant: str, want: int, timeout: float = 30) -> list:
    """The first `want` events of `tenant`: other test runs on this broker publish to the same exchange."""
    got = []
    deadline = time.monotonic() + timeout
    with Connection(amqp) as conn:
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
    stub, queue = distributed.stub, distributed.queue
    operator = creds(token("operator", ["*"]))
    code = fresh_county_code()
    stub.CreateTenant(pb.CreateTenantRequest(tenant=pb.Tenant(code=code, display_name="测试县",
                                                              city_code=code[:4] + "00")), metadata=operator)
    town = stub.CreateUnit(pb.CreateUnitRequest(parent=f"tenants/{code}", unit=pb.Unit(
        type=pb.TOWNSHIP, display_name="彭镇")), metadata=creds(token("county_admin", [code])))
    events = _received(distributed.amqp, queue, code, 2)
    assert [(e.type, e.tenant, e.producer) for e in events] == [
        ("organization.tenant_created", code, "organization"),
        ("organization.unit_created", code, "organization"),
    ]
    assert events[1].payload["unit"] == town.name
    assert events[0].sequence < events[1].sequence


def _in_points_directory(database_url: str, tenant: str, member_id: str, timeout: float = 120) -> bool:
    """Whether the points service's directory (fed by its nameko worker) came to hold the member. The
    worker hosts every consuming service and, on a loaded machine, starts consuming a minute late."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            if conn.execute("SELECT 1 FROM points.directory_members WHERE tenant = %s AND id = %s",
                            (tenant, member_id)).fetchone():
                return True
            time.sleep(0.2)
    return False


def test_a_member_reaches_points_through_the_worker_and_a_threshold_through_the_relay(distributed):
    """organization -> relay -> RabbitMQ -> points' nameko worker (directory); points -> relay -> RabbitMQ."""
    stub, points = distributed.stub, distributed.points
    code = fresh_county_code()
    operator, admin = creds(token("operator", ["*"])), creds(token("county_admin", [code]))
    stub.CreateTenant(pb.CreateTenantRequest(tenant=pb.Tenant(code=code, display_name="测试县",
                                                              city_code=code[:4] + "00")), metadata=operator)
    town = stub.CreateUnit(pb.CreateUnitRequest(parent=f"tenants/{code}", unit=pb.Unit(
        type=pb.TOWNSHIP, display_name="彭镇")), metadata=admin)
    village = stub.CreateUnit(pb.CreateUnitRequest(parent=f"tenants/{code}", unit=pb.Unit(
        type=pb.VILLAGE, display_name="新村", parent=town.name)), metadata=admin)
    member = stub.CreateMember(pb.CreateMemberRequest(parent=f"tenants/{code}", member=pb.Member(
        display_name="张三", unit=village.name, id_card_number=id_card())), metadata=admin)
    assert _in_points_directory(distributed.database_url, code, member.name.rsplit("/", 1)[-1])

    rules = ppb.RuleSet(display_name="十二分制", mode=ppb.RuleSet.DEDUCT_FROM_BASE, thresholds=[
        ppb.Threshold(code="REMINDER_TALK", name_zh="提醒谈话", name_en="Reminder talk",
                      comparison=ppb.Threshold.BELOW, value=6, severity=1)], rules=[
        ppb.Rule(code="ABSENT", name_zh="无故缺席", name_en="Absent", kind=ppb.Rule.DEDUCT, points=7,
                 unit=ppb.Rule.TIMES)])
    rule_set = points.CreateRuleSet(ppb.CreateRuleSetRequest(parent=f"tenants/{code}", rule_set=rules),
                                    metadata=admin)
    points.PublishRuleSet(ppb.PublishRuleSetRequest(name=rule_set.name, effective_from="2020-01-01"),
                          metadata=admin)
    points.RecordEntry(lpb.RecordEntryRequest(parent=f"tenants/{code}", member=member.name, rule_code="ABSENT",
                                              quantity=1, occurred_time=Timestamp(seconds=int(time.time()) - 60)),
                       metadata=admin)
    events = _received(distributed.amqp, distributed.points_queue, code, 2)
    assert [e.type for e in events] == ["points.rule_set_published", "points.threshold_crossed"]
    crossed = events[1].payload
    assert (crossed["member"], crossed["threshold_code"], crossed["balance"]) == (member.name, "REMINDER_TALK", 5)


def test_the_roles_stop_together_on_sigterm(distributed):
    proc = distributed.proc
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
