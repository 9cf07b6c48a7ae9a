"""Unit of work: one transaction, tenant-bound, that commits the change and its events together."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from services.common.clock import utcnow
from services.common.db import bind_reader, bind_tenant
from services.common.errors import AlreadyExists, InvalidArgument
from services.common.identifiers import control_character
from services.common.outbox import OutboxWriter
from services.common.sealing import DataKey


def fingerprint(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


class Idempotency:
    """AIP-155 request ids: a retry returns the first result; a different body is refused.

    `claim` takes the request id before the use case does any work (INSERT .. ON CONFLICT DO
    NOTHING). Two concurrent requests with one id therefore meet on the key at once: on
    PostgreSQL the second waits for the first to commit and then reads its answer; if the first
    rolled back, the second claims the id and does the work itself. SQLite writers are serial.
    """

    def __init__(self, conn: Connection, table: Table, tenant: str):
        self.conn, self.table, self.tenant = conn, table, tenant

    def claim(self, method: str, cmd) -> Claim:
        """Claim `cmd.request_id` (with `cmd.fingerprint`, the hash of its body) for the RPC `method`.

        `claim.done` is the id (last name segment) of the resource the first request with this id
        produced, or None for a new id, whose answer `claim.remember(name)` records."""
        request_id, body_fingerprint = cmd.request_id, cmd.fingerprint
        if not request_id:
            return Claim(self, method, "", "", None)
        if len(request_id) > 100:
            raise InvalidArgument.field("request_id", "不能超过100个字符", "must be at most 100 characters")
        # Logged and shown back to operators: a newline forges a log line, U+202E reverses it.
        bad = control_character(request_id)
        if bad is not None:
            raise InvalidArgument.field("request_id", f"不能包含控制字符或格式字符 U+{ord(bad):04X}",
                                        f"must not contain control or format characters (U+{ord(bad):04X})")
        t = self.table
        dialect = postgresql if self.conn.dialect.name == "postgresql" else sqlite
        claim = dialect.insert(t).values(
            tenant=self.tenant, method=method, request_id=request_id, fingerprint=body_fingerprint,
            resource_name="", created_at=utcnow(),
        ).on_conflict_do_nothing().returning(t.c.request_id)
        if self.conn.execute(claim).first() is not None:
            return Claim(self, method, request_id, body_fingerprint, None)
        row = self.conn.execute(
            select(t.c.fingerprint, t.c.resource_name).where(
                t.c.tenant == self.tenant, t.c.method == method, t.c.request_id == request_id
            )
        ).one()
        if row.fingerprint != body_fingerprint:
            raise InvalidArgument.field(
                "request_id",
                "该请求ID已用于另一个不同内容的请求",
                "was already used for a request with a different body",
                "REQUEST_ID_REUSED",
            )
        return Claim(self, method, request_id, body_fingerprint, row.resource_name.rsplit("/", 1)[-1])


@dataclass(frozen=True)
class Claim:
    """A request id held by this transaction: the RPC's name is written once, at `claim`."""

    idempotency: Idempotency
    method: str
    request_id: str
    fingerprint: str
    done: str | None

    def remember(self, resource_name: str) -> None:
        """Record the answer of a new request id (nothing for a request without one)."""
        if not self.request_id:
            return
        if self.done is not None:
            raise RuntimeError(f"{self.method}: remember() for the replay of request id {self.request_id!r}")
        t = self.idempotency.table
        self.idempotency.conn.execute(update(t).where(
            t.c.tenant == self.idempotency.tenant, t.c.method == self.method, t.c.request_id == self.request_id,
        ).values(resource_name=resource_name))


@dataclass(frozen=True)
class UniqueKey:
    """What a unique violation on one table means to the caller (ALREADY_EXISTS)."""

    reason: str
    zh: str
    en: str

    def error(self) -> AlreadyExists:
        return AlreadyExists(self.reason, self.zh, self.en)


_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (\w+)\.")


def unique_violation_table(err: IntegrityError) -> str | None:
    """The table whose unique key `err` violated; None for any other integrity error."""
    orig = err.orig
    if getattr(orig, "sqlstate", None) == "23505":  # psycopg: unique_violation
        return orig.diag.table_name
    match = _SQLITE_UNIQUE.search(str(orig))
    return match[1] if match else None


class SqlUnitOfWork:
    """`with uow:` opens a transaction bound to `tenant`; `commit()` writes the outbox and commits.

    Leaving the block without commit rolls everything back: nothing half-written remains.
    Subclasses attach repositories in `_open` and name their natural keys in `unique_keys`.

    A unique violation, raised by a statement or by the commit, leaves the block as
    ALREADY_EXISTS: two concurrent creates of one natural key both passed the use case's own
    check, and the loser learns what a sequential caller would have. Use cases never catch
    driver errors.
    """

    unique_keys: dict[str, UniqueKey] = {}
    _loaded: dict | None = None
    default_unique_key = UniqueKey("ALREADY_EXISTS", "同一记录已存在", "a record with the same key already exists")

    def __init__(self, engine: Engine, outbox: OutboxWriter, idempotency_table: Table, tenant: str, write: bool = True,
                 read_engine: Engine | None = None, data_key: DataKey | None = None):
        self.engine, self.read_engine = engine, read_engine
        self.data_key = data_key  # seals personal data at rest (services.common.sealing)
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

    @property
    def loaded(self) -> dict:
        """Rows this transaction already loaded, by the loader's key: each is loaded once."""
        if self._loaded is None:
            self._loaded = {}
        return self._loaded

    def emit(self, event, tenant: str | None = None) -> None:
        """Record an event to be written to the outbox with this transaction."""
        self.events.append((tenant or self.tenant, event))

    def commit(self) -> None:
        # Last before COMMIT: the outbox write locks each tenant's event counter until then.
        self.outbox.write(self.conn, self.events)
        self.conn.commit()
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
        self._loaded = None

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self.conn.in_transaction():
                self.conn.rollback()
        finally:
            self.conn.close()
            self.conn = None
            self.events = []
            self._loaded = None
        if isinstance(exc, IntegrityError):
            table = unique_violation_table(exc)
            if table is not None:
                raise self.unique_keys.get(table, self.default_unique_key).error() from exc


class ServiceUnitOfWorkFactory:
    """Hands out one service's units of work; the entrypoints hold one per process.

    A service that reads the organization subclasses it, naming its `unit_of_work` class and its
    `idempotency` table. The wiring (entrypoints/runtime.py) hands in the OutboxWriter, which knows
    the generated event contracts (so the service layer imports no protobuf), the listings'
    PageTokens, and the organization's gRPC client the directory reads through on a miss (None in
    an event worker: its events carry the state, and it never imports grpcio).
    """

    unit_of_work: type[SqlUnitOfWork]
    idempotency: Table

    def __init__(self, engine: Engine, outbox: OutboxWriter, read_engine: Engine | None = None,
                 page_tokens=None, organization=None):
        self.engine, self.outbox, self.read_engine = engine, outbox, read_engine
        self.page_tokens = page_tokens  # pagination.PageTokens
        self.organization = organization

    def __call__(self, tenant: str, write: bool = True):
        uow = self.unit_of_work(self.engine, self.outbox, self.idempotency, tenant, write, self.read_engine)
        uow.organization = self.organization
        return uow
