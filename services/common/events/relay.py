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

import contextlib
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Collection

from sqlalchemy import Connection, Engine, MetaData, delete, func, select, text, update

from services.common.clock import as_utc, utcnow
from services.common.db import bind_tenant
from services.common.events.envelope import envelope_from_outbox, to_wire
from services.common.metrics import (
    OUTBOX_OLDEST_AGE,
    OUTBOX_UNSENT,
    RELAY_ERRORS,
    RELAY_PUBLISHED,
    RELAY_RETURNED,
)
from services.common.tables import add_common_tables
from services.common.tenancy import ALL_TENANTS

log = logging.getLogger("partybuilding.events.relay")

outbox = add_common_tables(MetaData())["outbox"]

# publish(producer, [(type, body), ...]) returns once every event is confirmed by the broker,
# with the event_ids it returned unroutable (not sent), or None when it returns none.
Publish = Callable[[str, list[tuple[str, dict]]], Collection[str] | None]


class EventsReturned(Exception):
    """The broker returned events that a consumer subscribes to: they stay unsent and are retried."""


def unsent_summary(engine: Engine) -> tuple[int, dt.datetime | None]:
    """(unsent events, occurred_at of the oldest unsent one or None)."""
    with engine.connect() as conn:
        bind_tenant(conn, ALL_TENANTS)
        count, oldest = conn.execute(
            select(func.count(), func.min(outbox.c.occurred_at)).where(outbox.c.sent_at.is_(None))
        ).one()
        conn.rollback()
    return count, as_utc(oldest) if oldest is not None else None


def age_seconds(oldest: dt.datetime | None) -> float:
    return max((utcnow() - oldest).total_seconds(), 0.0) if oldest is not None else 0.0


def outbox_lag(engine: Engine) -> tuple[int, float]:
    """(unsent events, age in seconds of the oldest unsent one)."""
    count, oldest = unsent_summary(engine)
    return count, age_seconds(oldest)


class OutboxRelay:
    """Moves one service's outbox to a publisher; `run_once` is one round, `run` loops with backoff."""

    def __init__(self, engine: Engine, producer: str, publish: Publish, *, batch_size: int = 500,
                 poll_interval: float = 0.1, backoff_max: float = 30.0, retention_hours: int = 72,
                 prune_every: float = 600.0, ready: Callable[[], bool] | None = None,
                 probe_interval: float = 1.0):
        """`ready` is the broker probe tried every `probe_interval` while backing off."""
        self.engine, self.producer, self.publish = engine, producer, publish
        self.batch_size, self.poll_interval, self.backoff_max = batch_size, poll_interval, backoff_max
        self.ready, self.probe_interval = ready, probe_interval
        self.retention = dt.timedelta(hours=retention_hours)
        self.prune_every = prune_every
        self.postgres = engine.dialect.name == "postgresql"
        self.stopped = threading.Event()
        self.wakeup = threading.Event()
        self._last_prune = 0.0
        self._last_lag = 0.0
        self._unsent, self._oldest = 0, None
        # Read at scrape time: the age grows between refreshes, and while the database is down.
        OUTBOX_UNSENT.labels(producer).set_function(lambda: self._unsent)
        OUTBOX_OLDEST_AGE.labels(producer).set_function(lambda: age_seconds(self._oldest))

    def run_once(self) -> int:
        """Publish one batch of unsent events; returns how many were sent.

        Raises EventsReturned (after marking the others sent) when the broker returned some.
        """
        sent, returned = self._round_locked() if self.postgres else self._round_single()
        if sent:
            RELAY_PUBLISHED.labels(self.producer).inc(sent)
        if returned:
            RELAY_RETURNED.labels(self.producer).inc(returned)
            raise EventsReturned(f"broker returned {returned} events unroutable: their queues are missing")
        return sent

    def _rows(self, conn: Connection, tenants: list[str] | None, lock: bool):
        q = select(outbox).where(outbox.c.sent_at.is_(None)).order_by(outbox.c.seq).limit(self.batch_size)
        if tenants is not None:
            q = q.where(outbox.c.tenant.in_(tenants))
        if lock:
            q = q.with_for_update(skip_locked=True)
        return conn.execute(q).all()

    def _round_locked(self) -> tuple[int, int]:
        with self.engine.connect() as conn, conn.begin():
            bind_tenant(conn, ALL_TENANTS)
            pending = [r.tenant for r in conn.execute(
                select(outbox.c.tenant).where(outbox.c.sent_at.is_(None)).group_by(outbox.c.tenant))]
            mine = [t for t in pending if conn.execute(
                text("SELECT pg_try_advisory_xact_lock(hashtextextended(:key, 0))"),
                {"key": f"pb.outbox.{self.producer}.{t}"}).scalar()]
            if not mine:
                return 0, 0
            rows = self._rows(conn, mine, lock=True)
            sent, returned = self._publish(rows)
            self._mark_sent(conn, sent)
        return len(sent), returned

    def _round_single(self) -> tuple[int, int]:
        with self.engine.connect() as conn:
            rows = self._rows(conn, None, lock=False)
            conn.rollback()
        if not rows:
            return 0, 0
        sent, returned = self._publish(rows)
        with self.engine.connect().execution_options(pb_write=True) as conn, conn.begin():
            self._mark_sent(conn, sent)
        return len(sent), returned

    def _publish(self, rows) -> tuple[list, int]:
        """(rows to mark sent, how many the broker returned)."""
        if not rows:
            return [], 0
        returned = set(self.publish(self.producer, [(r.type, to_wire(envelope_from_outbox(r))) for r in rows]) or ())
        if not returned:
            return rows, 0
        held: set[str] = set()
        sent = []
        for r in rows:
            if r.event_id in returned:
                held.add(r.tenant)
            elif r.tenant not in held:
                sent.append(r)
        return sent, len(returned)

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
        """Read the lag from the database into the gauges; raises if the database is down."""
        self._unsent, self._oldest = unsent_summary(self.engine)
        return self._unsent, age_seconds(self._oldest)

    def _refresh_lag(self) -> None:
        now = time.monotonic()
        if now - self._last_lag < 1.0:
            return
        self._last_lag = now
        # Database down: the gauges keep the last count, and the age keeps growing.
        with contextlib.suppress(Exception):
            self.update_lag()

    def run(self) -> None:
        """Relay until stopped; while the broker or database is down, retry with backoff."""
        failures = 0
        while not self.stopped.is_set():
            self._refresh_lag()
            try:
                sent = self.run_once()
                failures = 0
                self._housekeeping()
            except Exception as exc:  # noqa: BLE001 - any failure means: wait and try again
                failures += 1
                RELAY_ERRORS.labels(self.producer).inc()
                delay = min(self.poll_interval * 2 ** failures, self.backoff_max)
                log.warning("relay round failed; retrying in at most %.1fs: %s", delay, exc,
                            extra={"fields": {"producer": self.producer}})
                self._note_failure(exc)
                self._back_off(delay)
                continue
            if sent < self.batch_size:
                self.wakeup.wait(self.poll_interval)
                self.wakeup.clear()

    def _back_off(self, delay: float) -> None:
        """Wait out `delay`, but stop waiting as soon as the broker probe and the database answer."""
        deadline = time.monotonic() + delay
        while (remaining := deadline - time.monotonic()) > 0:
            if self.stopped.wait(min(self.probe_interval, remaining)):
                return
            self._refresh_lag()
            if (self.ready is None or self.ready()) and self._database_ready():
                return

    def _database_ready(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            return True
        except Exception:  # noqa: BLE001 - any failure means: not yet
            return False

    def _housekeeping(self) -> None:
        now = time.monotonic()
        if now - self._last_prune >= self.prune_every:
            self._last_prune = now
            pruned = self.prune()
            if pruned:
                log.info("pruned sent events", extra={"fields": {"producer": self.producer, "rows": pruned}})

    def stop(self) -> None:
        self.stopped.set()
        self.wakeup.set()
