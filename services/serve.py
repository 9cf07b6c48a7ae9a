"""The platform's gRPC server process(es): every service, the event relay, the daily and the periodic jobs.

With PB_GRPC_PROCESSES=N (PostgreSQL only) N server processes share the port
(services/common/grpc/processes.py). Each builds its own runtimes, hence its own engines and
pools, after the fork; process 0 alone runs what must run once per deployment unit: the demo
data, the daily and periodic jobs, notify's delivery loop and the embedded bus (whose relay reads the outbox that all of them write).
"""

from __future__ import annotations

import logging
import sys

from services.common import logs
from services.common.config import Settings
from services.common.grpc.processes import serve_in_processes
from services.common.grpc.server import serve_until_signalled
from services.common.metrics import serve_metrics
from services.platform import (
    SERVICES,
    build_runtime,
    build_server,
    daily_jobs,
    migrate_all,
    periodic_jobs,
)

log = logging.getLogger("partybuilding.serve")

TOUR = """
partybuilding is serving on localhost:{port} (health, reflection{processes}), metrics on :{metrics}/metrics
  database: {db}
  events:   {bus}

Get a token and make a first call:
  export TOKEN=$(.venv/bin/pbctl dev-token --role county_admin --tenant 610222)
  .venv/bin/pbctl org units --tenant 610222 --type TOWNSHIP
"""


def serve_all(settings: Settings, demo: bool = False, services: tuple[str, ...] = SERVICES) -> None:
    """Migrate, then serve `services` (all by default; one per pod on Kubernetes) in
    PB_GRPC_PROCESSES processes until SIGTERM; exits 1 if one died."""
    logs.configure(settings.log_level)
    migrate_all(settings, services)
    status = serve_in_processes(settings.grpc_processes, settings.grpc_port,
                                lambda index, port: serve_one(settings, index, port, demo, services))
    if status:
        sys.exit(status)


def serve_one(settings: Settings, index: int, port: int, demo: bool = False,
              services: tuple[str, ...] = SERVICES) -> None:
    """One server process: its own runtimes and server; process 0 also the once-only work."""
    primary = index == 0
    runtimes = [build_runtime(name, settings) for name in services]
    if demo and primary:
        for runtime in runtimes:
            if runtime.load_demo:
                runtime.load_demo()
    server, port, health = build_server(settings, runtimes, f"[::]:{port}",
                                        reuse_port=settings.grpc_processes > 1)
    # One /metrics per process: process i answers on the metrics port + i.
    metrics_port = settings.metrics_port + index if settings.metrics_port else 0
    serve_metrics(metrics_port)
    bus = None
    if primary and not settings.amqp_uri:  # with a broker, `pbctl events relay` processes publish instead
        from services.common.events.embedded import start_embedded_bus

        bus = start_embedded_bus(runtimes, retention_hours=settings.relay_retention_hours)
    # Embedded, process 0: background loops (notify's delivery) run here; with a broker,
    # run-distributed starts them as processes of their own.
    background = [loop for rt in runtimes for loop in rt.background] if primary and not settings.amqp_uri else []
    jobs = daily_jobs(runtimes) if primary else None
    if jobs:
        jobs.start()
    periodic = periodic_jobs(runtimes) if primary else None
    if periodic:
        periodic.start()

    def started() -> None:
        if not primary:
            return
        if demo:
            load_demos_serving(runtimes)
        for loop in background:  # after the demo: its messages are there for the first round
            loop.start()
        processes = f", {settings.grpc_processes} processes" if settings.grpc_processes > 1 else ""
        print(TOUR.format(port=port, processes=processes, metrics=metrics_port,
                          db=settings.database_url or f"SQLite files under {settings.var_dir}",
                          bus="in-process (embedded)" if bus else settings.amqp_uri), flush=True)

    def stop() -> None:
        for loop in background:
            loop.stop()
        if jobs:
            jobs.stop()
        if periodic:
            periodic.stop()
        if bus:
            bus.stop()

    serve_until_signalled(server, health, on_stop=stop, on_start=started)


def load_demos_serving(runtimes) -> None:
    """The demo data that needs the platform serving; a failure is logged and serving goes on."""
    for runtime in runtimes:
        if runtime.load_demo_serving:
            try:
                runtime.load_demo_serving()
            except Exception:
                log.exception("demo data of %s not loaded", runtime.name)
