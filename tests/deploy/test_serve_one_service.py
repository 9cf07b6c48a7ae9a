"""`pbctl serve --service S`, what each server pod runs: S alone, healthy under the probe's name."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.deployment.roles import platform_services
from tests.e2e.processes import free_port, wait_serving


def test_a_server_pod_hosts_its_service_alone_and_answers_its_readiness_probe(tmp_path):
    port = free_port()
    env = {**os.environ, "PB_VAR_DIR": str(tmp_path), "PB_GRPC_PORT": str(port), "PB_METRICS_PORT": "0"}
    env.pop("PB_DATABASE_URL", None)
    env.pop("PB_AMQP_URI", None)
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "services.pbctl.main", "serve", "--service", "points"],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            wait_serving(proc, channel, output=log)
            health = health_pb2_grpc.HealthStub(channel)
            names = {f.name: f.health_name for f in platform_services()}
            answer = health.Check(health_pb2.HealthCheckRequest(service=names["points"]), timeout=2)
            assert answer.status == health_pb2.HealthCheckResponse.SERVING
            try:
                health.Check(health_pb2.HealthCheckRequest(service=names["organization"]), timeout=2)
                raise AssertionError("the organization is served too")
            except grpc.RpcError as err:
                assert err.code() == grpc.StatusCode.NOT_FOUND
        # Only the served service's schema was migrated.
        assert sorted(p.name for p in tmp_path.glob("*.sqlite3")) == ["points.sqlite3"]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
