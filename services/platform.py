"""Wiring: which services a process hosts, on which database, with which event bus.

Embedded (`make run`): every service in one process on SQLite files under ./var, the relay
handing outbox events to in-process handlers. Production: one process per role against
PostgreSQL and RabbitMQ. Same code, other wiring.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from pathlib import Path

from sqlalchemy import Engine, text

from services.common.archive import ArchivedTenants
from services.common.auth import TokenVerifier
from services.common.config import Settings
from services.common.grpc.interceptor import PlatformInterceptor
from services.common.grpc.server import create_server
from services.common.metrics import KNOWN_TENANTS
from services.common.migrate import upgrade
from services.common.runtime import PeriodicJob, ServiceRuntime

log = logging.getLogger("partybuilding.platform")


def discover_services() -> tuple[str, ...]:
    """Every package under services/ with an entrypoints/runtime.py: a new service is found, not listed."""
    root = Path(__file__).parent
    return tuple(sorted(path.parents[1].name for path in root.glob("*/entrypoints/runtime.py")))


SERVICES = discover_services()


def migrate_all(settings: Settings, services: tuple[str, ...] = SERVICES) -> None:
    for name in services:
        # Migrations that seal existing rows need the key (organization 0004).
        upgrade(name, settings.database_url_for(name), data_key=settings.data_key)


def build_runtime(name: str, settings: Settings) -> ServiceRuntime:
    """The service's own wiring, `services.<name>.entrypoints.runtime.build(settings)`."""
    if name not in SERVICES:
        raise ValueError(f"unknown service {name!r}; services: {', '.join(SERVICES)}")
    return importlib.import_module(f"services.{name}.entrypoints.runtime").build(settings)


def build_server(settings: Settings, runtimes: list[ServiceRuntime], address: str | None = None,
                 reuse_port: bool = False):
    """A gRPC server hosting the given services behind the platform interceptor (`reuse_port`: one
    of several server processes on the port)."""
    verifier = TokenVerifier(settings.jwt_secret, settings.jwt_public_key)
    policy = {}
    archived = ArchivedTenants()
    for rt in runtimes:
        policy.update(rt.policy)
        archived.use(rt.name, rt.engine)
    for rt in runtimes:
        if rt.tenant_codes:
            KNOWN_TENANTS.use(rt.name, rt.tenant_codes)
    interceptor = PlatformInterceptor(verifier, policy, archived)
    server, port, health = create_server(address or f"[::]:{settings.grpc_port}", [rt.mount for rt in runtimes],
                                         interceptor, reuse_port=reuse_port)
    for rt in runtimes:
        if rt.on_server_bound:
            rt.on_server_bound(port)
    return server, port, health


def one_replica_at_a_time(engine: Engine, key: str, job):
    """`job` run by one replica at a time: on PostgreSQL by the process that takes the advisory
    lock `key`, while the others skip that round (a daily job is a sweep: what one run did, the
    next finds done; two at once would both find the same rows undone). SQLite: one process."""
    if engine.dialect.name != "postgresql":
        return job

    def run():
        with engine.connect() as conn:
            held = conn.execute(text("SELECT pg_try_advisory_lock(hashtextextended(:key, 0))"), {"key": key}).scalar()
            conn.commit()  # the lock is the session's: the job's own transactions come and go
            if not held:
                log.info("daily job left to another replica", extra={"fields": {"job": key}})
                return None
            try:
                return job()
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(hashtextextended(:key, 0))"), {"key": key})
                conn.commit()

    return run


def daily_jobs(runtimes: list[ServiceRuntime]) -> DailyJobs:
    """Every service's daily jobs, each run by one replica at a time."""
    return DailyJobs([one_replica_at_a_time(rt.engine, f"daily-job:{rt.name}:{i}", job)
                      for rt in runtimes for i, job in enumerate(rt.daily_jobs)])


def periodic_jobs(runtimes: list[ServiceRuntime]) -> PeriodicJobs:
    """Every service's periodic jobs, each run by one replica at a time (a replica that finds the
    lock held skips that round; the next round may be its own)."""
    return PeriodicJobs([PeriodicJob(job.name, job.interval_seconds,
                                     one_replica_at_a_time(rt.engine, f"periodic-job:{rt.name}:{job.name}", job.run))
                         for rt in runtimes for job in rt.periodic_jobs])


class DailyJobs(threading.Thread):
    """Runs each service's daily jobs (the post-term sweep) once at start and every 24 hours."""

    def __init__(self, jobs: list, interval_seconds: float = 24 * 3600):
        super().__init__(name="daily-jobs", daemon=True)
        self.jobs, self.interval = jobs, interval_seconds
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            for job in self.jobs:
                try:
                    job()
                except Exception:
                    log.exception("daily job failed")
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()


class PeriodicJobs(threading.Thread):
    """Runs the services' periodic jobs, each on its own interval (the first `first_delay` after
    start, so that a starting platform serves before it sweeps); one job failing is logged and
    the others go on."""

    def __init__(self, jobs: list[PeriodicJob], first_delay: float = 60.0):
        super().__init__(name="periodic-jobs", daemon=True)
        self.jobs, self.first_delay = jobs, first_delay
        self.stopped = threading.Event()

    def run(self) -> None:
        if not self.jobs:
            return
        start = time.monotonic() + self.first_delay
        due = {job.name: start for job in self.jobs}
        while not self.stopped.wait(max(0.0, min(due.values()) - time.monotonic())):
            for job in self.jobs:
                if due[job.name] <= time.monotonic():
                    try:
                        job.run()
                    except Exception:
                        log.exception("periodic job %s failed", job.name)
                    due[job.name] = time.monotonic() + job.interval_seconds

    def stop(self) -> None:
        self.stopped.set()
