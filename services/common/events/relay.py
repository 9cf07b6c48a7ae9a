"""The outbox relay (发件箱中继): publishes committed outbox rows and marks them sent.

PostgreSQL: each round locks the tenants it will serve with a transaction-scoped advisory
lock and the rows with FOR UPDATE SKIP LOCKED, publishes them in seq order, waits for the
broker's confirms and marks them sent in the same transaction. Several replicas can run;
a tenant is served by one at a time, so its events leave in order. A crash after publishing
and before commit re-sends the batch: consumers are idempotent on event_id.

SQLite (embedded): one relay thread per file, so no locks; rows are read, delivered and
marked sent in separate short transactions so handlers writing to the same file do not wait.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Connection, Engine, MetaData, delete, func, select, text, update

from services.common.clock import as_utc, utcnow
from services.common.db import ALL_TENANTS, bind_tenant
from services.common.events.envelope import envelope_from_outbox, to_wire
from services.common.metrics import OUTBOX_OLDEST_AGE, OUTBOX_UNSENT, RELAY_ERRORS, RELAY_PUBLISHED
from services.common.tables import add_common_tables

log = logging.getLogger("partybuilding.events.relay")

outbox = add_common_tables(MetaData())["outbox"]

# publish(producer, [(type, body), ...]) returns only once every event is safely handed over.
Publish = Callable[[str, list[tuple[str, dict]]], None]


def outbox_lag(engine: Engine) -> tuple[int, float]:
    """(unsent events, age in seconds of the oldest unsent one)."""
    with engine.connect() as conn:
        bind_tenant(conn, ALL_TENANTS)
        count, oldest = conn.execute(
            select(func.count(), func.min(outbox.c.occurred_at)).where(outbox.c.sent_at.is_(None))
        ).one()
        conn.rollback()
    age = (utcnow() - as_utc(oldest)).total_seconds() if oldest is not None else 0.0
    return count, max(age, 0.0)


class OutboxRelay:
    """Moves one service's outbox to a publisher; `run_once` is one round, `run` loops with backoff."""

    def __init__(self, engine: Engine, producer: str, publish: Publish, *, batch_size: int = 500,
                 poll_interval: float = 0.1, backoff_max: float = 30.0, retention_hours: int = 72,
                 prune_every: float = 600.0):
        self.engine, self.producer, self.publish = engine, producer, publish
        self.batch_size, self.poll_interval, self.backoff_max = batch_size, poll_interval, backoff_max
        self.retention = dt.timedelta(hours=retention_hours)
        self.prune_every = prune_every
        self.postgres = engine.dialect.name == "postgresql"
        self.stopped = threading.Event()
        self.wakeup = threading.Event()
        self._last_prune = 0.0
        self._last_lag = 0.0

    def run_once(self) -> int:
        """Publish one batch of unsent events; returns how many were sent."""
        sent = self._round_locked() if self.postgres else self._round_single()
        if sent:
            RELAY_PUBLISHED.labels(self.producer).inc(sent)
        return sent

    def _rows(self, conn: Connection, tenants: list[str] | None, lock: bool):
        q = select(outbox).where(outbox.c.sent_at.is_(None)).order_by(outbox.c.seq).limit(self.batch_size)
        if tenants is not None:
            q = q.where(outbox.c.tenant.in_(tenants))
        if lock:
            q = q.with_for_update(skip_locked=True)
        return conn.execute(q).all()

    def _round_locked(self) -> int:
        with self.engine.connect() as conn, conn.begin():
            bind_tenant(conn, ALL_TENANTS)
            pending = [r.tenant for r in conn.execute(
                select(outbox.c.tenant).where(outbox.c.sent_at.is_(None)).group_by(outbox.c.tenant))]
            mine = [t for t in pending if conn.execute(
                text("SELECT pg_try_advisory_xact_lock(hashtextextended(:key, 0))"),
                {"key": f"pb.outbox.{self.producer}.{t}"}).scalar()]
            if not mine:
                return 0
            rows = self._rows(conn, mine, lock=True)
            self._publish(rows)
            self._mark_sent(conn, rows)
        return len(rows)

    def _round_single(self) -> int:
        with self.engine.connect() as conn:
            rows = self._rows(conn, None, lock=False)
            conn.rollback()
        if not rows:
            return 0
        self._publish(rows)
        with self.engine.connect().execution_options(pb_write=True) as conn, conn.begin():
            self._mark_sent(conn, rows)
        return len(rows)

    def _publish(self, rows) -> None:
        if rows:
            self.publish(self.producer, [(r.type, to_wire(envelope_from_outbox(r))) for r in rows])

    @staticmethod
    def _mark_sent(conn: Connection, rows) -> None:
        if rows:
            conn.execute(update(outbox).where(outbox.c.seq.in_([r.seq for r in rows]))
                         .values(sent_at=utcnow(), attempts=outbox.c.attempts + 1, last_error=None))

    def _note_failure(self, exc: Exception) -> None:
        """Count the failed attempt on the waiting rows, so an operator can see why they wait."""
        try:
            with self.engine.connect().execution_options(pb_write=True) as conn, conn.begin():
                bind_tenant(conn, ALL_TENANTS)
                first = select(outbox.c.seq).where(outbox.c.sent_at.is_(None)).order_by(outbox.c.seq).limit(self.batch_size)
                conn.execute(update(outbox).where(outbox.c.seq.in_(first))
                             .values(attempts=outbox.c.attempts + 1, last_error=str(exc)[:500]))
        except Exception:  # noqa: BLE001 - the database may be what is down
            pass

    def prune(self) -> int:
        """Delete events sent longer ago than the retention period."""
        cutoff = utcnow() - self.retention
        with self.engine.connect().execution_options(pb_write=True) as conn, conn.begin():
            bind_tenant(conn, ALL_TENANTS)
            return conn.execute(delete(outbox).where(outbox.c.sent_at.is_not(None), outbox.c.sent_at < cutoff)).rowcount

    def update_lag(self) -> tuple[int, float]:
        count, age = outbox_lag(self.engine)
        OUTBOX_UNSENT.labels(self.producer).set(count)
        OUTBOX_OLDEST_AGE.labels(self.producer).set(age)
        return count, age

    def run(self) -> None:
        """Relay until stopped; while the broker or database is down, retry with backoff."""
        failures = 0
        while not self.stopped.is_set():
            try:
                sent = self.run_once()
                failures = 0
                self._housekeeping()
            except Exception as exc:  # noqa: BLE001 - any failure means: wait and try again
                failures += 1
                RELAY_ERRORS.labels(self.producer).inc()
                delay = min(self.poll_interval * 2 ** failures, self.backoff_max)
                log.warning("relay round failed; retrying in %.1fs: %s", delay, exc,
                            extra={"fields": {"producer": self.producer}})
                self._note_failure(exc)
                self.stopped.wait(delay)
                continue
            if sent < self.batch_size:
                self.wakeup.wait(self.poll_interval)
                self.wakeup.clear()

    def _housekeeping(self) -> None:
        now = time.monotonic()
        if now - self._last_lag >= 1.0:
            self._last_lag = now
            self.update_lag()
        if now - self._last_prune >= self.prune_every:
            self._last_prune = now
            pruned = self.prune()
            if pruned:
                log.info("pruned sent events", extra={"fields": {"producer": self.producer, "rows": pruned}})

    def stop(self) -> None:
        self.stopped.set()
        self.wakeup.set()
