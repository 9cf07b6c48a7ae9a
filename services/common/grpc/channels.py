"""Client channels that spread calls over every replica a target names.

A target may name several servers: `ipv4:10.0.0.1:50051,10.0.0.2:50051`, or `dns:///organization:50051`
where the name resolves to every replica (a Kubernetes headless Service). With the `round_robin`
policy the channel connects to each address and sends successive calls to the next one, so that
replicas share the load; gRPC's default (`pick_first`) would send everything to the first. A
single `host:port` target behaves as before.
"""

from __future__ import annotations

import grpc

ROUND_ROBIN = ("grpc.lb_policy_name", "round_robin")


def balanced_channel(target: str, options: list[tuple[str, object]] | None = None) -> grpc.Channel:
    """An insecure channel calling the target's addresses round robin."""
    return grpc.insecure_channel(target, options=[ROUND_ROBIN, *(options or [])])
