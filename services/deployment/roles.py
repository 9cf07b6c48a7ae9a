"""What runs of each service, and how: the processes `make run-distributed` starts, one per pod.

The commands are the ones `services/pbctl/distributed.py` runs (tests/deploy/test_roles.py holds
them equal), except that each gRPC server hosts one service (`pbctl serve --service S`) so that
each scales and rolls on its own. Facts about a service come from its code: the health name its
server registers, whether it consumes events (then it has a nameko worker), whether it reads the
organization's directory (then it needs the organization's address and its own token), whether
it delivers messages itself (then it has a delivery process, `pbctl notify deliver`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

GRPC_PORT = 50051
METRICS_PORT = 9100
DIRECTORY_OWNER = "organization"
PART_OF = "partybuilding"


@dataclass(frozen=True)
class ServiceFacts:
    """One service as its code declares it."""

    name: str
    health_name: str  # e.g. partybuilding.points.v1.PointsService
    consumes_events: bool
    reads_directory: bool
    delivers_messages: bool = False  # has a delivery process of its own (notify's SMS and webhooks)


@cache
def platform_services() -> tuple[ServiceFacts, ...]:
    """Every service of the platform (services/platform.py discovers them)."""
    from services.common.events.registry import handlers_module
    from services.platform import SERVICES

    facts = []
    for name in SERVICES:
        servicer = importlib.import_module(f"services.{name}.entrypoints.grpc_servicer")
        runtime = importlib.import_module(f"services.{name}.entrypoints.runtime")
        handlers = handlers_module(name)
        facts.append(ServiceFacts(name, servicer.FULL_NAME, bool(getattr(handlers, "HANDLERS", None)),
                                  name != DIRECTORY_OWNER, hasattr(runtime, "delivery_process")))
    return tuple(facts)


def server_command(service: str) -> list[str]:
    return ["pbctl", "serve", "--service", service]


def relay_command(service: str) -> list[str]:
    return ["pbctl", "events", "relay", "--service", service]


def worker_command() -> list[str]:
    # $(PB_AMQP_URI): Kubernetes puts the container's own variable (from the Secret) in the argument.
    return ["nameko", "run", "--broker", "$(PB_AMQP_URI)", "services.common.events.worker"]


def delivery_command(service: str) -> list[str]:
    return ["pbctl", service, "deliver"]


def migrate_command(service: str) -> list[str]:
    return ["pbctl", "migrate", "--service", service]


def declare_command() -> list[str]:
    return ["pbctl", "events", "declare"]


def drain_seconds() -> float:
    """How long a stopping gRPC server drains (serve_until_signalled's grace), read from the code."""
    import inspect

    from services.common.grpc.server import serve_until_signalled

    return float(inspect.signature(serve_until_signalled).parameters["grace"].default)
