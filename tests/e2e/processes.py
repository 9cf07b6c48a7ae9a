"""Starting the platform as separate processes, the way an operator does."""

from __future__ import annotations

import contextlib
import random
import socket
import subprocess
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(count: int) -> int:
    """The first of `count` consecutive free ports (replicas listen on PB_GRPC_PORT + i).

    Below the kernel's ephemeral range (32768-60999 here): a port found free there may be taken by
    any outgoing connection before the server binds it."""
    for _ in range(100):
        base = random.randrange(20000, 32000)
        try:
            with contextlib.ExitStack() as stack:
                for port in range(base, base + count):
                    stack.enter_context(socket.socket()).bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError(f"no {count} consecutive free ports")


def wait_serving(proc: subprocess.Popen, channel: grpc.Channel, timeout: float = 120, output=None) -> None:
    """Until gRPC health answers SERVING; fails the test with the process's output if it dies
    (`output`: the file its output goes to, when not a pipe)."""
    health = health_pb2_grpc.HealthStub(channel)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if health.Check(health_pb2.HealthCheckRequest(service=""), timeout=1).status == \
                    health_pb2.HealthCheckResponse.SERVING:
                return
        except grpc.RpcError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            said = output.read_text(errors="replace") if output else proc.stdout.read() if proc.stdout else ""
            pytest.fail("the platform did not come up:\n" + said)
        time.sleep(0.3)
