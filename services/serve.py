"""The single-process platform: every service, the event relay and the daily jobs."""

from __future__ import annotations

import logging

from services.common import logs
from services.common.config import Settings
from services.common.grpc.server import serve_until_signalled
from services.common.metrics import serve_metrics
from services.platform import SERVICES, DailyJobs, build_runtime, build_server, migrate_all

log = logging.getLogger("partybuilding.serve")

TOUR = """
partybuilding is serving on localhost:{port} (health, reflection), metrics on :{metrics}/metrics
  database: {db}
  events:   {bus}

Get a token and make a first call:
  export TOKEN=$(.venv/bin/pbctl dev-token --role county_admin --tenant 610222)
  .venv/bin/pbctl org units --tenant 610222 --type TOWNSHIP
"""


def serve_all(settings: Settings, demo: bool = False) -> None:
    logs.configure(settings.log_level)
    migrate_all(settings)
    runtimes = [build_runtime(name, settings) for name in SERVICES]
    if demo:
        for runtime in runtimes:
            if runtime.load_demo:
                runtime.load_demo()
    server, port, health = build_server(settings, runtimes)
    serve_metrics(settings.metrics_port)
    bus = None
    if not settings.amqp_uri:  # with a broker, `pbctl events relay` processes publish instead
        from services.common.events.embedded import start_embedded_bus

        bus = start_embedded_bus(runtimes, retention_hours=settings.relay_retention_hours)
    jobs = DailyJobs([job for rt in runtimes for job in rt.daily_jobs])
    jobs.start()
    # Embedded: background loops run here; with a broker, run-distributed starts them as processes.
    background = [] if settings.amqp_uri else [loop for rt in runtimes for loop in rt.background]

    def started() -> None:
        if demo:
            load_demos_serving(runtimes)
        for loop in background:  # after the demo: its messages are there for the first round
            loop.start()
        print(TOUR.format(port=port, metrics=settings.metrics_port,
                          db=settings.database_url or f"SQLite files under {settings.var_dir}",
                          bus="in-process (embedded)" if bus else settings.amqp_uri), flush=True)

    def stop() -> None:
        jobs.stop()
        for loop in background:
            loop.stop()
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
