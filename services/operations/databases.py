"""Every service's database as the operator sees it: its tables, their tenant column, its schema revision.

On PostgreSQL each transaction runs as the app role bound to the one county (db.bind_tenant), so
row-level security fences the operator's statements as it fences the services', behind the
explicit tenant filter every statement carries.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Connection, Engine, MetaData, Table

from services.common.config import Settings
from services.common.db import bind_tenant, is_sqlite, make_engine

# Where a table names its county when its column is not `tenant`.
_TENANT_COLUMNS = {("organization", "tenants"): "code", ("organization", "person_registry"): "county"}


@dataclass
class ServiceDatabase:
    service: str
    engine: Engine
    metadata: MetaData

    @property
    def sqlite(self) -> bool:
        return is_sqlite(str(self.engine.url))

    def tenant_tables(self) -> list[Table]:
        """The tables that hold one county's rows, in a fixed order (the dump's and the restore's)."""
        return [t for t in self.metadata.sorted_tables if tenant_column(self.service, t) is not None]

    def revision(self, conn: Connection) -> str | None:
        """The Alembic revision the schema is at (None: never migrated)."""
        opts = {"version_table": f"alembic_version_{self.service}"}
        if not self.sqlite:
            opts["version_table_schema"] = self.service
        return MigrationContext.configure(conn, opts=opts).get_current_revision()


def tenant_column(service: str, table: Table) -> Column | None:
    """The column naming the county, or None for bookkeeping that spans counties (processed_events)."""
    name = _TENANT_COLUMNS.get((service, table.name), "tenant")
    return table.c.get(name)


def open_databases(settings: Settings, services: tuple[str, ...] | None = None) -> list[ServiceDatabase]:
    from services.platform import SERVICES

    return [ServiceDatabase(name, make_engine(settings.database_url_for(name), name, null_pool=True),
                            importlib.import_module(f"services.{name}.adapters.tables").metadata)
            for name in services or SERVICES]


def dispose(databases: list[ServiceDatabase]) -> None:
    for db in databases:
        db.engine.dispose()


@contextmanager
def county_transactions(databases: list[ServiceDatabase], tenant: str,
                        write: bool = True) -> Iterator[dict[str, Connection]]:
    """One transaction per service, all open together: committed together at the end, or all
    rolled back if anything fails before, so that no service is left half-written."""
    with ExitStack() as stack:
        conns: dict[str, Connection] = {}
        for db in databases:
            conn = stack.enter_context(db.engine.connect())
            if write:
                conn = conn.execution_options(pb_write=True)  # SQLite: BEGIN IMMEDIATE
            elif not db.sqlite:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")  # one snapshot per service
            conn.begin()
            conns[db.service] = conn
        yield conns
        for conn in conns.values():
            conn.commit()


def revisions(databases: list[ServiceDatabase], conns: dict[str, Connection]) -> dict[str, str | None]:
    """Each service's schema revision, read before the transaction takes the app role (which may not)."""
    return {db.service: db.revision(conns[db.service]) for db in databases}


def bind(conns: dict[str, Connection], tenant: str) -> None:
    for conn in conns.values():
        bind_tenant(conn, tenant)
