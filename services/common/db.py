"""Engines: SQLite files for the embedded default, PostgreSQL (a schema per service) in production.

On PostgreSQL every transaction runs as the non-owner role `pb_app` with the tenant in
`pb.tenant`, so row-level security is a second wall behind the repositories' own filters.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.pool import NullPool

APP_ROLE = "pb_app"
ALL_TENANTS = "*"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def ensure_sqlite_dir(url: str) -> None:
    """A fresh machine has no ./var yet: create the folder the SQLite file goes in."""
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str, schema: str, *, pool_size: int = 16, null_pool: bool = False) -> Engine:
    """An engine whose connections see `schema` first (PostgreSQL) or the service's file (SQLite)."""
    if is_sqlite(url):
        ensure_sqlite_dir(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # Let SQLAlchemy, not pysqlite, decide when a transaction begins (see _begin).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection):
            # A writer takes the lock up front: read-check-write stays atomic without retries.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("pb_write") else "BEGIN")

        return engine

    # No pre-ping: it costs a round trip per checkout; a dropped connection surfaces as
    # OperationalError (UNAVAILABLE to the caller) and SQLAlchemy then recycles the pool.
    kwargs = {"poolclass": NullPool} if null_pool else {"pool_size": pool_size, "max_overflow": pool_size, "pool_recycle": 1800}
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _search_path(dbapi_conn, _record):
        with dbapi_conn.cursor() as cur:
            cur.execute(f'SET search_path TO "{schema}", public')
        dbapi_conn.commit()

    return engine


_BIND_TENANT = text("SELECT set_config('role', :role, true), set_config('pb.tenant', :tenant, true)")


def bind_tenant(conn: Connection, tenant: str) -> None:
    """Scope this transaction to one tenant (or '*'), as the RLS-bound role. No-op on SQLite."""
    if conn.dialect.name == "postgresql":
        conn.execute(_BIND_TENANT, {"role": APP_ROLE, "tenant": tenant})
