"""A minimal consuming service for the directory tests: the kernel's common tables and the directory
in a schema of its own (PostgreSQL, row-level security on, as a real service's 0001 does) or a
SQLite file, with a unit of work that attaches `uow.directory` the way a service's does."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace

from partybuilding.organization.v1 import organization_events_pb2
from sqlalchemy import Connection, Engine, MetaData, text

from services.common.db import APP_ROLE, make_engine
from services.common.directory import DIRECTORY_TABLE_NAMES, Directory, add_directory_tables
from services.common.migrate import enable_row_level_security, ensure_app_role
from services.common.outbox import OutboxWriter
from services.common.tables import NAMING, add_common_tables
from services.common.uow import SqlUnitOfWork

metadata = MetaData(naming_convention=NAMING)
common = add_common_tables(metadata)
DIRECTORY = add_directory_tables(metadata)


class ConsumerUnitOfWork(SqlUnitOfWork):
    directory: Directory
    client = None

    def _open(self, conn: Connection) -> None:
        self.directory = Directory(conn, DIRECTORY, self.tenant, self.client)


class ConsumerUowFactory:
    def __init__(self, engine: Engine, client=None):
        self.engine, self.client = engine, client
        # It emits nothing; the writer only needs a contracts module.
        self.outbox = OutboxWriter(common["outbox"], "dirtest", organization_events_pb2)

    def __call__(self, tenant: str, write: bool = True) -> ConsumerUnitOfWork:
        uow = ConsumerUnitOfWork(self.engine, self.outbox, common["idempotency_keys"], tenant, write)
        uow.client = self.client
        return uow


@dataclass
class ConsumingService:
    backend: str
    engine: Engine
    uows: ConsumerUowFactory


class _MigrationOp:
    """What enable_row_level_security uses of Alembic's `op`, over a plain connection."""

    def __init__(self, conn: Connection, schema: str):
        self.conn, self.schema = conn, schema

    def get_bind(self) -> Connection:
        return self.conn

    def execute(self, sql: str) -> None:
        self.conn.execute(text(sql))

    def get_context(self):
        return SimpleNamespace(version_table_schema=self.schema)


@contextmanager
def consuming_service(backend: str, tmp_path, pg_url: str | None = None) -> Iterator[ConsumingService]:
    """A fresh consuming service on `backend` (a schema of its own in the test database on PostgreSQL)."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / f'dirtest-{uuid.uuid4().hex[:6]}.sqlite3'}", "dirtest")
        metadata.create_all(engine)
    else:
        schema = f"dirtest_{uuid.uuid4().hex[:10]}"
        engine = make_engine(pg_url, schema, pool_size=4)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            ensure_app_role(conn)
            conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO {APP_ROLE}'))
            conn.execute(text(f'SET search_path TO "{schema}"'))
            metadata.create_all(conn)
            enable_row_level_security(_MigrationOp(conn, schema), DIRECTORY_TABLE_NAMES, tuple(metadata.tables))
    try:
        yield ConsumingService(backend, engine, ConsumerUowFactory(engine))
    finally:
        engine.dispose()
