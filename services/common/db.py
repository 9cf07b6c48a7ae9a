"""Engines: SQLite files for the embedded default, PostgreSQL (a schema per service) in production.

On PostgreSQL every transaction runs as the non-owner role `pb_app` with the tenant in
`pb.tenant`, so row-level security is a second wall behind the repositories' own filters.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.pool import NullPool

APP_ROLE = "pb_app"


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


def make_read_engine(url: str, schema: str, *, pool_size: int = 16) -> Engine | None:
    """PostgreSQL only: a second pool for read-only units of work; None on SQLite (reads use the main one).

    A read on the main pool costs four round trips (BEGIN, bind the tenant, the query, ROLLBACK).
    These connections are autocommit and read-only, run as the RLS-bound role for their whole
    session, and keep their tenant binding between checkouts, so a read is usually one round trip.
    Under READ COMMITTED every statement takes its own snapshot even inside a transaction, so
    reading without one sees exactly what it did before. A separate pool keeps session-level
    state away from the writers, the relay and the consumers, which bind per transaction.
    """
    if is_sqlite(url):
        return None
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800,
                           isolation_level="AUTOCOMMIT")

    @event.listens_for(engine, "connect")
    def _session(dbapi_conn, _record):
        with dbapi_conn.cursor() as cur:
            cur.execute(f'SET search_path TO "{schema}", public')
            cur.execute("SET default_transaction_read_only = on")
            cur.execute("SELECT set_config('role', %s, false), set_config('pb.tenant', '', false)", (APP_ROLE,))

    return engine


_BIND_READER = text("SELECT set_config('pb.tenant', :tenant, false)")


def bind_reader(conn: Connection, tenant: str) -> None:
    """Bind a connection of the read pool to `tenant` for its session, unless it already is."""
    info = conn.connection.info  # lives as long as the database connection, across checkouts
    if info.get("pb.tenant") != tenant:
        info.pop("pb.tenant", None)  # if the SET fails, the next checkout binds again
        conn.execute(_BIND_READER, {"tenant": tenant})
        info["pb.tenant"] = tenant


_BIND_TENANT = text("SELECT set_config('role', :role, true), set_config('pb.tenant', :tenant, true)")


def bind_tenant(conn: Connection, tenant: str) -> None:
    """Scope this transaction to one tenant (or '*'), as the RLS-bound role. No-op on SQLite."""
    if conn.dialect.name == "postgresql":
        conn.execute(_BIND_TENANT, {"role": APP_ROLE, "tenant": tenant})


class HotQuery:
    """A hot single-row read compiled once and run on the driver connection.

    SQLAlchemy's per-call result machinery (cursor description, metadata, Row objects) was about
    40% of a GetUnit's CPU. On PostgreSQL psycopg already returns Python types, so the row can
    skip it; SQLite stores datetimes and booleans as text and numbers, so there the statement
    runs through SQLAlchemy, whose result processors convert them. Rows are plain sequences in
    the statement's column order either way.
    """

    def __init__(self, statement):
        self.statement = statement
        self._compiled: tuple[str, dict] | None = None

    def first(self, conn: Connection, params: dict):
        return self._run(conn, params, "first", "fetchone")

    def all(self, conn: Connection, params: dict) -> list:
        """Every row; on PostgreSQL a list parameter binds as an array (`= ANY(:ids)`)."""
        return self._run(conn, params, "all", "fetchall")

    def _run(self, conn: Connection, params: dict, sqlalchemy_fetch: str, driver_fetch: str):
        if conn.dialect.name != "postgresql":
            return getattr(conn.execute(self.statement, params), sqlalchemy_fetch)()
        if self._compiled is None:
            compiled = self.statement.compile(dialect=conn.dialect)
            self._compiled = (compiled.string, dict(compiled.params))
        sql, defaults = self._compiled
        try:
            return getattr(conn.connection.driver_connection.execute(sql, {**defaults, **params}), driver_fetch)()
        except conn.dialect.loaded_dbapi.Error:
            # Run it again through SQLAlchemy: the error comes out wrapped (a lost connection as
            # OperationalError, which callers answer UNAVAILABLE) and a dead connection is discarded.
            return getattr(conn.execute(self.statement, params), sqlalchemy_fetch)()


LIKE_ESCAPE = "\\"


def like_prefix(value: str) -> str:
    """A LIKE pattern matching every text that starts with `value` (use with escape=LIKE_ESCAPE).

    `%` and `_` in the value match only themselves: a prefix from another service's data must not
    widen into a wildcard.
    """
    escaped = value.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return escaped + "%"
