"""`pbctl run-distributed --replicas N`: which processes it starts, and with which settings."""

from __future__ import annotations

import pytest

from services.common.config import ConfigError
from services.pbctl.distributed import _roles
from services.platform import SERVICES

ENV = {"PB_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1/pb", "PB_AMQP_URI": "amqp://guest:guest@127.0.0.1//",
       "PB_ALLOW_DEV_SECRET": "1", "PB_GRPC_PORT": "6000", "PB_METRICS_PORT": "7000"}


def test_two_replicas_of_every_role_on_their_own_ports_called_round_robin():
    roles, target = _roles(ENV, replicas=2, relays=2)
    assert target == "ipv4:127.0.0.1:6000,127.0.0.1:6001"
    servers = {name: extra for name, _, extra in roles if name.startswith("grpc-")}
    assert {name: (e["PB_GRPC_PORT"], e["PB_ORGANIZATION_TARGET"]) for name, e in servers.items()} == {
        "grpc-0": ("6000", target), "grpc-1": ("6001", target)}
    names = [name for name, _, _ in roles]
    assert sorted(n for n in names if n.startswith("relay-")) == sorted(
        f"relay-{s}-{i}" for s in SERVICES for i in range(2))
    assert [n for n in names if n.startswith("worker-")] == ["worker-0", "worker-1"]
    metrics = [extra["PB_METRICS_PORT"] for _, _, extra in roles]
    assert len(set(metrics)) == len(roles), "each process its own /metrics"


def test_one_replica_is_the_single_process_per_role_wiring_and_port_0_is_refused_for_more():
    roles, target = _roles(ENV, replicas=1, relays=1)
    assert target == "127.0.0.1:6000" and [n for n, _, _ in roles].count("grpc-0") == 1
    with pytest.raises(ConfigError, match="PB_GRPC_PORT=0"):
        _roles({**ENV, "PB_GRPC_PORT": "0"}, replicas=2, relays=2)
