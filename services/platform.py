"""Wiring: which services a process hosts, on which database, with which event bus.

Embedded (`make run`): every service in one process on SQLite files under ./var, the relay
handing outbox events to in-process handlers. Production: one process per role against
PostgreSQL and RabbitMQ. Same code, other wiring.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from sqlalchemy import Engine

from services.common.auth import TokenVerifier
from services.common.config import Settings
from services.common.db import make_engine, make_read_engine
from services.common.grpc.interceptor import PlatformInterceptor
from services.common.grpc.server import Mount, create_server
from services.common.migrate import upgrade
from services.common.pagination import PageTokens
from services.common.sealing import DataKey

log = logging.getLogger("partybuilding.platform")

SERVICES = ("organization",)


@dataclass
class ServiceRuntime:
    """What one hosted service needs at run time."""

    name: str
    engine: Engine
    uow_factory: object
    mount: Mount
    policy: dict
    daily_jobs: list = field(default_factory=list)


def migrate_all(settings: Settings, services: tuple[str, ...] = SERVICES) -> None:
    for name in services:
        # Migrations that seal existing rows need the key (organization 0004).
        upgrade(name, settings.database_url_for(name), data_key=settings.data_key)


def build_runtime(name: str, settings: Settings) -> ServiceRuntime:
    """The engine, unit-of-work factory, servicer and policy of one service."""
    engine = make_engine(settings.database_url_for(name), name)
    read_engine = make_read_engine(settings.database_url_for(name), name)
    tokens = PageTokens(settings.page_token_secret)
    if name == "organization":
        from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc

        from services.organization.entrypoints.grpc_servicer import FULL_NAME, OrganizationServicer
        from services.organization.entrypoints.jobs import sweep_all_terms
        from services.organization.entrypoints.policy import POLICY
        from services.organization.service_layer.unit_of_work import OrgUnitOfWorkFactory

        uow = OrgUnitOfWorkFactory(engine, read_engine, DataKey(settings.data_key))
        servicer = OrganizationServicer(uow, tokens)
        mount = Mount(pb_grpc.add_OrganizationServiceServicer_to_server, servicer, FULL_NAME)
        return ServiceRuntime(name, engine, uow, mount, POLICY, [lambda: sweep_all_terms(uow)])
    raise ValueError(f"unknown service {name!r}")


def build_server(settings: Settings, runtimes: list[ServiceRuntime], address: str | None = None):
    """A gRPC server hosting the given services behind the platform interceptor."""
    verifier = TokenVerifier(settings.jwt_secret, settings.jwt_public_key)
    policy = {}
    for rt in runtimes:
        policy.update(rt.policy)
    interceptor = PlatformInterceptor(verifier, policy)
    return create_server(address or f"[::]:{settings.grpc_port}", [rt.mount for rt in runtimes], interceptor)


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
