"""`make run-distributed REPLICAS=2`: two replicas of every gRPC server, relay and nameko worker on one
PostgreSQL and one RabbitMQ (a private vhost), called round robin. The same request_id sent to
both replicas at once applies once; every event of traffic spread over both leaves once; the two
workers consume each queue as competing consumers."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from concurrent import futures
from dataclasses import dataclass

import grpc
import psycopg
import pytest
from kombu import Connection, Exchange, Queue
from partybuilding.organization.v1 import organization_service_pb2 as pb
from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc

from services.common.events.envelope import UnreadableEvent, from_wire
from services.common.grpc.channels import balanced_channel
from services.pbctl.distributed import balanced_target
from tests.conftest import PG_ADMIN, creds, fresh_county_code, token
from tests.e2e.processes import free_ports, wait_serving
from tests.helpers import id_card, private_vhost, wait_for

BROKER = "/".join(os.environ.get("PB_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672//").split("/")[:3])
REPLICAS = 2
MEMBERS = 20
SETTLE_SECONDS = 3.0  # after the last awaited event: long enough for a doubled one to show


@dataclass
class Replicated:
    proc: subprocess.Popen
    replicas: list[pb_grpc.OrganizationServiceStub]  # one stub per replica, each on its own port
    balanced: pb_grpc.OrganizationServiceStub  # round robin over both
    metrics_ports: list[int]
    queue: Queue
    amqp: str
    vhost: str
    database_url: str


@pytest.fixture(scope="module")
def replicated(tmp_path_factory):
    db = f"pb_repl_{uuid.uuid4().hex[:8]}"
    grpc_base, metrics_base = free_ports(REPLICAS), free_ports(16)
    with private_vhost("pb-repl") as vhost:
        amqp = f"{BROKER}/{vhost}"
        env = {**os.environ, "PB_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{db}",
               "PB_AMQP_URI": amqp, "PB_GRPC_PORT": str(grpc_base), "PB_METRICS_PORT": str(metrics_base)}
        env.pop("PB_ORGANIZATION_TARGET", None)
        # Declared before anything is published: every event the relays send reaches it.
        queue = Queue(f"test-repl-{db}", Exchange("organization.events", type="topic", durable=True),
                      routing_key="organization.#", auto_delete=False)
        with Connection(amqp) as conn:
            queue(conn.channel()).declare()
        output = tmp_path_factory.mktemp("repl") / "run-distributed.log"
        with output.open("w") as sink:
            proc = subprocess.Popen([sys.executable, "-m", "services.pbctl.main", "run-distributed",
                                     "--replicas", str(REPLICAS)], env=env, stdout=sink, stderr=subprocess.STDOUT,
                                    text=True, start_new_session=True)
        ports = [grpc_base + i for i in range(REPLICAS)]
        channels = [grpc.insecure_channel(f"127.0.0.1:{port}") for port in ports]
        balanced = balanced_channel(balanced_target(ports))
        try:
            for channel in channels:
                wait_serving(proc, channel, output=output)
            yield Replicated(proc, [pb_grpc.OrganizationServiceStub(c) for c in channels],
                             pb_grpc.OrganizationServiceStub(balanced), [metrics_base + i for i in range(REPLICAS)],
                             queue, amqp, vhost, env["PB_DATABASE_URL"])
        finally:
            for channel in [*channels, balanced]:
                channel.close()
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def _county(stub: pb_grpc.OrganizationServiceStub) -> tuple[str, list]:
    code = fresh_county_code()
    stub.CreateTenant(pb.CreateTenantRequest(tenant=pb.Tenant(code=code, display_name="测试县",
                                                              city_code=code[:4] + "00")),
                      metadata=creds(token("operator", ["*"])))
    return code, creds(token("county_admin", [code]))


def _both_at_once(stubs, method: str, request, md) -> list:
    """The same request sent to every replica at the same moment: each answer, or its status code."""
    with futures.ThreadPoolExecutor(len(stubs)) as pool:
        calls = [pool.submit(getattr(stub, method), request, metadata=md, timeout=30) for stub in stubs]
    answers = []
    for call in calls:
        try:
            answers.append(call.result())
        except grpc.RpcError as err:
            answers.append(err.code())
    return answers


def test_a_request_id_that_reaches_both_replicas_applies_once(replicated):
    code, admin = _county(replicated.replicas[0])
    parent = f"tenants/{code}"
    for i in range(5):
        request = pb.CreateUnitRequest(parent=parent, request_id=str(uuid.uuid4()),
                                       unit=pb.Unit(type=pb.TOWNSHIP, display_name=f"第{i}镇"))
        answers = _both_at_once(replicated.replicas, "CreateUnit", request, admin)
        made = {a.name for a in answers if isinstance(a, pb.Unit)}
        assert len(made) == 1 and all(isinstance(a, pb.Unit) or a is grpc.StatusCode.ALREADY_EXISTS
                                      for a in answers), answers
    town = replicated.replicas[1].ListUnits(pb.ListUnitsRequest(parent=parent), metadata=admin).units
    assert sorted(u.display_name for u in town) == [f"第{i}镇" for i in range(5)]
    request = pb.CreateMemberRequest(parent=parent, request_id=str(uuid.uuid4()), member=pb.Member(
        display_name="张三", unit=town[0].name, id_card_number=id_card()))
    answers = _both_at_once(replicated.replicas, "CreateMember", request, admin)
    assert len({a.name for a in answers if isinstance(a, pb.Member)}) == 1, answers
    listed = replicated.replicas[0].ListMembers(pb.ListMembersRequest(parent=parent), metadata=admin).members
    assert [m.display_name for m in listed] == ["张三"]


def _handled(metrics_port: int, method: str) -> int:
    body = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).read().decode()
    return sum(int(float(n)) for n in re.findall(
        rf'grpc_server_handled_total\{{[^}}]*grpc_method="{method}"[^}}]*\}} (\S+)', body))


def _events_of(amqp: str, queue: Queue, tenant: str, want: int, timeout: float = 60) -> list:
    """Every event of `tenant` on the queue until `want` came and then SETTLE_SECONDS passed quiet."""
    got, quiet_since = [], None
    deadline = time.monotonic() + timeout
    with Connection(amqp) as conn:
        bound = queue(conn.channel())
        while time.monotonic() < deadline:
            message = bound.get(no_ack=True)
            if message is None:
                if len(got) >= want and time.monotonic() - (quiet_since or time.monotonic()) > SETTLE_SECONDS:
                    break
                quiet_since = quiet_since or time.monotonic()
                time.sleep(0.1)
                continue
            quiet_since = None
            try:
                event = from_wire(message.payload)
            except UnreadableEvent:
                continue
            if event.tenant == tenant:
                got.append(event)
    return got


def _in_points_directory(database_url: str, tenant: str) -> int:
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM points.directory_members WHERE tenant = %s", (tenant,)).fetchone()[0]


def test_traffic_over_both_replicas_sends_every_event_once(replicated):
    stub = replicated.balanced
    before = [_handled(port, "CreateMember") for port in replicated.metrics_ports]
    code, admin = _county(stub)
    town = stub.CreateUnit(pb.CreateUnitRequest(parent=f"tenants/{code}", unit=pb.Unit(
        type=pb.TOWNSHIP, display_name="彭镇")), metadata=admin)
    for i in range(MEMBERS):
        stub.CreateMember(pb.CreateMemberRequest(parent=f"tenants/{code}", request_id=str(uuid.uuid4()),
                                                 member=pb.Member(display_name=f"党员{i}", unit=town.name,
                                                                  id_card_number=id_card())), metadata=admin)
    served = [_handled(port, "CreateMember") - was for port, was in zip(replicated.metrics_ports, before, strict=True)]
    assert sum(served) == MEMBERS and all(served), f"CreateMember calls per replica: {served}"

    events = _events_of(replicated.amqp, replicated.queue, code, want=2 + MEMBERS)
    kinds = sorted(e.type for e in events)
    assert kinds == sorted(["organization.tenant_created", "organization.unit_created",
                            *["organization.member_created"] * MEMBERS]), kinds
    assert len({e.event_id for e in events}) == len(events)
    # Through the two workers into points' directory: every member, once each (keyed by id).
    wait_for(lambda: _in_points_directory(replicated.database_url, code) == MEMBERS, timeout=90,
             what="the members in points' directory")


def _consumers(vhost: str) -> dict[str, int]:
    listed = subprocess.run(["rabbitmqctl", "-q", "list_queues", "-p", vhost, "name", "consumers"], check=True,
                            capture_output=True, text=True, timeout=60).stdout
    return {name: int(n) for name, n in (line.split() for line in listed.splitlines()
                                         if len(line.split()) == 2 and line.split()[1].isdigit())}


def test_the_workers_share_every_queue_as_competing_consumers(replicated):
    def shared():
        queues = {name: n for name, n in _consumers(replicated.vhost).items() if name.startswith("evt-")}
        return queues if queues and set(queues.values()) == {REPLICAS} else None

    assert wait_for(shared, timeout=90, what="two consumers on every worker queue")


def test_every_replica_stops_on_sigterm(replicated):
    replicated.proc.send_signal(signal.SIGTERM)
    assert replicated.proc.wait(40) == 0
