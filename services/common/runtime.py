"""What a hosted service hands the platform: its engine, unit of work, gRPC mount, policy and jobs.

Each service builds one in `services/<svc>/entrypoints/runtime.py` (`build(settings)`); the
platform finds that module by the service's name, so adding a service changes no kernel file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from services.common.policy import Rule

if TYPE_CHECKING:  # grpcio stays out of event workers, which import a service's runtime module
    from services.common.grpc.server import Mount


@dataclass(frozen=True)
class PeriodicJob:
    """A job run more often than daily (the notify reminder sweep): first a minute after start,
    then every `interval_seconds`. Every replica of `pbctl serve` runs it, so a job must be safe to
    run twice at once (notify's is: each message it makes has a dedupe key)."""

    name: str
    interval_seconds: float
    run: Callable[[], object]


@dataclass
class ServiceRuntime:
    """What one hosted service needs at run time."""

    name: str
    engine: Engine
    uow_factory: object
    mount: Mount
    policy: dict[str, Rule]
    daily_jobs: list[Callable[[], object]] = field(default_factory=list)
    periodic_jobs: list[PeriodicJob] = field(default_factory=list)
    # Loads the service's demo data for `make run`; None when the service has none.
    load_demo: Callable[[], None] | None = None
    # Loads demo data that needs the platform serving, called once the server has started, in
    # service order: a service that reads the organization resyncs its directory through the
    # server first (the embedded bus would bring the same rows, but only later), then fills in.
    load_demo_serving: Callable[[], None] | None = None
    # The tenants this service owns, so metric labels name only counties that exist.
    tenant_codes: Callable[[], list[str]] | None = None
    # Told the port once the platform's gRPC server is bound: a service calling the organization
    # in its own process learns where (the port is known only then when PB_GRPC_PORT=0).
    on_server_bound: Callable[[int], None] | None = None
    # Background loops (each with start() and stop()) the embedded platform runs beside the server
    # (notify's delivery process); with a broker each runs as a process of its own instead.
    background: list = field(default_factory=list)
