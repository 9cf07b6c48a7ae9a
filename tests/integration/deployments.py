"""A second deployment beside the test platform: its own databases, data key and gRPC server.

`pbctl` runs here as an operator would run it, through its command line with the deployment's
environment (CliRunner), so the tests run the runbook's commands.
"""

from __future__ import annotations

import base64
import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import grpc
import psycopg
from click.testing import CliRunner, Result
from partybuilding.assessment.v1 import assessment_service_pb2_grpc as agrpc
from partybuilding.notify.v1 import notify_service_pb2_grpc as ngrpc
from partybuilding.organization.v1 import organization_service_pb2_grpc as ogrpc
from partybuilding.points.v1 import points_service_pb2_grpc as pgrpc

from services.common.config import Settings
from services.pbctl.main import cli
from services.platform import SERVICES, build_runtime, build_server, migrate_all
from tests.conftest import PG_ADMIN


def env_of(settings: Settings, data_key: str = "") -> dict[str, str]:
    """The environment an operator's shell holds for this deployment."""
    env = {"PB_VAR_DIR": str(settings.var_dir), "PB_ALLOW_DEV_SECRET": "1", "PB_GRPC_PORT": "0",
           "PB_METRICS_PORT": "0", "PB_DATABASE_URL": settings.database_url or ""}
    if data_key:
        env["PB_DATA_KEY"] = data_key
    return env


def pbctl(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    name = f"pb_ops_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Deployment:
    env: dict[str, str]
    channel: grpc.Channel

    @property
    def org(self):
        return ogrpc.OrganizationServiceStub(self.channel)

    @property
    def points(self):
        return pgrpc.PointsServiceStub(self.channel)

    @property
    def assessment(self):
        return agrpc.AssessmentServiceStub(self.channel)

    @property
    def notify(self):
        return ngrpc.NotifyServiceStub(self.channel)


@contextlib.contextmanager
def serving(env: dict[str, str], migrate: bool = True) -> Iterator[Deployment]:
    """Every service of the deployment `env` describes, served on a free port."""
    settings = Settings.from_env(env)
    if migrate:
        migrate_all(settings)
    runtimes = [build_runtime(name, settings) for name in SERVICES]
    server, port, _ = build_server(settings, runtimes, "127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield Deployment(env, channel)
    finally:
        channel.close()
        server.stop(None)
        for rt in runtimes:  # the read pools too: the machine's PostgreSQL is shared by every test run
            for engine in (rt.engine, getattr(rt.uow_factory, "read_engine", None)):
                if engine is not None:
                    engine.dispose()


@contextlib.contextmanager
def another_deployment(backend: str, tmp_path) -> Iterator[Deployment]:
    """A fresh set of databases (a new SQLite folder, or a new PostgreSQL database) with its own data key."""
    key = base64.b64encode(os.urandom(32)).decode()
    env = {"PB_VAR_DIR": str(tmp_path / "target-var"), "PB_ALLOW_DEV_SECRET": "1", "PB_GRPC_PORT": "0",
           "PB_METRICS_PORT": "0", "PB_DATA_KEY": key, "PB_DATABASE_URL": ""}
    with contextlib.ExitStack() as stack:
        if backend == "postgres":
            name = stack.enter_context(fresh_database())
            env["PB_DATABASE_URL"] = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        yield stack.enter_context(serving(env))
