"""Fixtures: the platform served through a real gRPC channel, on SQLite and on PostgreSQL.

PostgreSQL gets a fresh database per test run, dropped at the end.
"""

from __future__ import annotations

import itertools
import os
import random
import uuid
from dataclasses import dataclass

import grpc
import psycopg
import pytest
from partybuilding.assessment.v1 import assessment_service_pb2_grpc as assessment_grpc
from partybuilding.notify.v1 import notify_service_pb2_grpc as notify_grpc
from partybuilding.organization.v1 import organization_service_pb2 as pb
from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc
from partybuilding.points.v1 import points_service_pb2_grpc as points_grpc

from services.common.auth import mint_token
from services.common.config import DEV_JWT_SECRET, Settings
from services.platform import SERVICES, build_runtime, build_server, migrate_all

PG_ADMIN = os.environ.get("PB_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def token(role: str, tenants: list[str], **claims) -> str:
    return mint_token(DEV_JWT_SECRET, role=role, tenants=tenants, **claims)


def creds(tok: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {tok}")]


@pytest.fixture(scope="session")
def pg_database():
    name = f"pb_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _settings(tmp_path_factory, backend: str, request) -> Settings:
    env = {"PB_VAR_DIR": str(tmp_path_factory.mktemp(f"var-{backend}")), "PB_GRPC_PORT": "0", "PB_METRICS_PORT": "0"}
    if backend == "postgres":
        env["PB_DATABASE_URL"] = request.getfixturevalue("pg_database")
        env["PB_ALLOW_DEV_SECRET"] = "1"
    return Settings.from_env(env)


_codes = itertools.count(random.randint(1, 50) * 100)


def fresh_county_code() -> str:
    """A county code nobody used in this run: 6xxxyy with yy in 01..99."""
    while True:
        n = next(_codes)
        if n % 100:
            return f"6{n:05d}"[:6]


@dataclass
class Platform:
    backend: str
    settings: Settings
    stub: pb_grpc.OrganizationServiceStub
    channel: grpc.Channel
    runtimes: list
    port: int
    points: points_grpc.PointsServiceStub | None = None  # PointsService on the same channel
    notify: notify_grpc.NotifyServiceStub | None = None  # NotifyService on the same channel
    assessment: assessment_grpc.AssessmentServiceStub | None = None  # AssessmentService, the same channel

    def runtime(self, name: str):
        return next(rt for rt in self.runtimes if rt.name == name)

    @property
    def org_uow(self):
        return self.runtime("organization").uow_factory

    def as_(self, role: str, tenants: list[str] | None = None, **claims):
        """Call options for a caller: use as stub.Method(req, metadata=p.as_('county_admin', [code]))."""
        return creds(token(role, tenants if tenants is not None else ["*"], **claims))

    def operator(self):
        return self.as_("operator", ["*"])

    def new_county(self, **settings) -> str:
        code = fresh_county_code()
        self.stub.CreateTenant(pb.CreateTenantRequest(tenant=pb.Tenant(
            code=code, display_name=f"测试县{code}", settings=pb.TenantSettings(**settings))), metadata=self.operator())
        return code


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def platform(request, tmp_path_factory):
    settings = _settings(tmp_path_factory, request.param, request)
    migrate_all(settings)
    runtimes = [build_runtime(name, settings) for name in SERVICES]
    server, port, _health = build_server(settings, runtimes, "127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield Platform(request.param, settings, pb_grpc.OrganizationServiceStub(channel), channel, runtimes, port,
                   points=points_grpc.PointsServiceStub(channel),
                   assessment=assessment_grpc.AssessmentServiceStub(channel), notify=notify_grpc.NotifyServiceStub(channel))
    channel.close()
    server.stop(None)
    for rt in runtimes:
        rt.engine.dispose()


def pytest_sessionfinish(session, exitstatus):
    # A run that collected nothing (a bad path, a broken -k) must fail CI, not pass quietly.
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
