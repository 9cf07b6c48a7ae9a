"""PB_GRPC_PROCESSES=2: two server processes on one port (SO_REUSEPORT) on PostgreSQL, each with
its own metrics and pools, the embedded bus started once, both stopped by one SIGTERM (SQLite
refusing more than one: tests/unit/test_config.py)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import grpc
import psycopg
import pytest
from partybuilding.organization.v1 import organization_service_pb2 as pb
from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc

from tests.conftest import PG_ADMIN, creds, token
from tests.e2e.processes import free_port, wait_serving

CONNECTIONS = 16  # separate TCP connections: the kernel spreads them over the processes


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    db = f"pb_procs_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    grpc_port, metrics_port = free_port(), free_port()
    env = {**os.environ, "PB_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{db}",
           "PB_ALLOW_DEV_SECRET": "1", "PB_GRPC_PROCESSES": "2", "PB_GRPC_PORT": str(grpc_port),
           "PB_METRICS_PORT": str(metrics_port)}
    env.pop("PB_AMQP_URI", None)
    output = tmp_path_factory.mktemp("procs") / "serve.log"
    with output.open("w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "services.pbctl.main", "serve"], env=env,
                                stdout=sink, stderr=subprocess.STDOUT, text=True)
    channels = [grpc.insecure_channel(f"127.0.0.1:{grpc_port}", options=[("grpc.use_local_subchannel_pool", 1)])
                for _ in range(CONNECTIONS)]
    try:
        for channel in channels:
            wait_serving(proc, channel, output=output)
        yield proc, channels, metrics_port, output
    finally:
        for channel in channels:
            channel.close()
        if proc.poll() is None:
            proc.kill()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _calls_counted(metrics_port: int) -> int:
    body = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).read().decode()
    return sum(int(float(n)) for n in re.findall(r'grpc_server_handled_total\{[^}]*grpc_method="GetTenant"[^}]*\} (\S+)',
                                                 body))


def test_both_processes_answer_on_the_one_port(served):
    proc, channels, metrics_port, _ = served
    assert len(_children(proc.pid)) == 2
    operator = creds(token("operator", ["*"]))
    stubs = [pb_grpc.OrganizationServiceStub(c) for c in channels]
    made = stubs[0].CreateTenant(pb.CreateTenantRequest(tenant=pb.Tenant(code="610299", display_name="测试县")),
                                 metadata=operator)
    for stub in stubs:
        assert stub.GetTenant(pb.GetTenantRequest(name=made.name), metadata=operator).display_name == "测试县"
    # Each process counts its own calls on its own metrics port (the port + its index).
    counted = [_calls_counted(metrics_port), _calls_counted(metrics_port + 1)]
    assert sum(counted) == CONNECTIONS and all(counted), counted


def test_sigterm_stops_every_process_and_the_bus_ran_once(served):
    proc, _, _, output = served
    children = _children(proc.pid)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
    assert output.read_text().count("embedded event bus started") == 1
