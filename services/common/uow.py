"""Unit of work: one transaction, tenant-bound, that commits the change and its events together."""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, Engine, Table, insert, select
from sqlalchemy.exc import IntegrityError

from services.common.clock import utcnow
from services.common.db import bind_reader, bind_tenant
from services.common.errors import InvalidArgument
from services.common.outbox import OutboxWriter


def fingerprint(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


class Idempotency:
    """AIP-155 request ids: a retry returns the first result; a different body is refused."""

    def __init__(self, conn: Connection, table: Table, tenant: str):
        self.conn, self.table, self.tenant = conn, table, tenant

    def seen(self, method: str, request_id: str, body_fingerprint: str) -> str | None:
        """The id (last name segment) of the resource the first request with this id produced,
        or None for a new id."""
        if not request_id:
            return None
        if len(request_id) > 100:
            raise InvalidArgument.field("request_id", "不能超过100个字符", "must be at most 100 characters")
        t = self.table
        row = self.conn.execute(
            select(t.c.fingerprint, t.c.resource_name).where(
                t.c.tenant == self.tenant, t.c.method == method, t.c.request_id == request_id
            )
        ).first()
        if row is None:
            return None
        if row.fingerprint != body_fingerprint:
            raise InvalidArgument.field(
                "request_id",
                "该请求ID已用于另一个不同内容的请求",
                "was already used for a request with a different body",
                "REQUEST_ID_REUSED",
            )
        return row.resource_name.rsplit("/", 1)[-1]

    def remember(self, method: str, request_id: str, body_fingerprint: str, resource_name: str) -> None:
        if request_id:
            self.conn.execute(insert(self.table).values(
                tenant=self.tenant, method=method, request_id=request_id,
                fingerprint=body_fingerprint, resource_name=resource_name, created_at=utcnow(),
            ))


class SqlUnitOfWork:
    """`with uow:` opens a transaction bound to `tenant`; `commit()` writes the outbox and commits.

    Leaving the block without commit rolls everything back: nothing half-written remains.
    Subclasses attach repositories in `_open`.
    """

    def __init__(self, engine: Engine, outbox: OutboxWriter, idempotency_table: Table, tenant: str, write: bool = True,
                 read_engine: Engine | None = None):
        self.engine, self.read_engine = engine, read_engine
        self.outbox = outbox
        self.idempotency_table = idempotency_table
        self.tenant = tenant
        self.write = write
        self.conn: Connection | None = None
        self.events: list[tuple[str, object]] = []

    def __enter__(self):
        reader = not self.write and self.read_engine is not None
        conn = (self.read_engine if reader else self.engine).connect()
        if self.write:
            conn = conn.execution_options(pb_write=True)
        self.conn = conn
        try:
            if reader:
                bind_reader(conn, self.tenant)
            else:
                conn.begin()
                bind_tenant(conn, self.tenant)
            self.idempotency = Idempotency(conn, self.idempotency_table, self.tenant)
            self._open(conn)
        except Exception:
            conn.close()
            raise
        return self

    def _open(self, conn: Connection) -> None:
        """Attach repositories; overridden by each service."""

    def emit(self, event, tenant: str | None = None) -> None:
        """Record an event to be written to the outbox with this transaction."""
        self.events.append((tenant or self.tenant, event))

    def commit(self) -> None:
        # Last before COMMIT: the outbox write locks each tenant's event counter until then.
        self.outbox.write(self.conn, self.events)
        try:
            self.conn.commit()
        except IntegrityError:
            self.conn.rollback()
            raise
        self.events = []

    def analyze(self, *tables: Table) -> None:
        """After a bulk write, outside its transaction: the planner sees the new rows now, not at the
        next autovacuum (a freshly imported county otherwise gets plans made for an empty table)."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in tables:  # SQLite's ANALYZE takes one name
                conn.exec_driver_sql(f"ANALYZE {table.name}")

    def rollback(self) -> None:
        self.conn.rollback()
        self.events = []

    def __exit__(self, *exc) -> None:
        try:
            if self.conn.in_transaction():
                self.conn.rollback()
        finally:
            self.conn.close()
            self.conn = None
