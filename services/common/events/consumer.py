"""Event consumers (事件消费): idempotent on event_id, retried with backoff, then parked.

A service declares its handlers as a mapping (producer, type) -> handler(envelope, uow_factory).
The nameko worker and the embedded bus both hand bodies to `EventConsumer.deliver`, so the
same handler runs with the same bookkeeping whatever carried the event.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from partybuilding.common.v1.events_pb2 import EventEnvelope
from sqlalchemy import Engine, MetaData, bindparam, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from services.common.clock import utcnow
from services.common.events.envelope import UnreadableEvent, body_text, from_wire
from services.common.metrics import EVENTS_HANDLED
from services.common.tables import add_common_tables

log = logging.getLogger("partybuilding.events.consumer")

Handler = Callable[[EventEnvelope, Callable], None]
HandlerMap = Mapping[tuple[str, str], Handler]

# Unqualified names: each engine's search_path (or SQLite file) picks the service's own copy.
_tables = add_common_tables(MetaData())
processed_events = _tables["processed_events"]
dead_letters = _tables["dead_letters"]

# Built once: every delivered event runs them, and rebuilding them was a tenth of a worker's CPU.
_RECORD = insert(processed_events)
# Text, not insert().on_conflict_do_nothing(): SQLAlchemy cannot cache that construct and
# compiled it again for every event (a quarter of a delivery's CPU). Same SQL on both databases.
_CLAIM = text(
    "INSERT INTO processed_events (consumer, event_id, processed_at) VALUES (:consumer, :event_id, :processed_at) "
    "ON CONFLICT DO NOTHING RETURNING event_id"
).bindparams(bindparam("processed_at", type_=processed_events.c.processed_at.type))
_SEEN = select(processed_events.c.event_id).where(
    processed_events.c.consumer == bindparam("consumer"), processed_events.c.event_id == bindparam("event_id"))


class AlreadyProcessed(Exception):
    """The event's processed_events row exists: a redelivered duplicate."""


@dataclass(frozen=True)
class DeadLetter:
    id: int
    consumer: str
    event_id: str | None
    type: str | None
    tenant: str | None
    reason: str
    attempts: int
    parked_at: Any
    replayed_at: Any
    body: str


class _RecordingUowFactory:
    """Units of work whose transaction claims the event first, as its opening statement.

    The claim (a processed_events row, `ON CONFLICT DO NOTHING`) and the handler's effect commit
    in one transaction: either both happen or neither, so a redelivered event is skipped exactly
    when its effect is already there. The claim is the guard as well: no separate look-up round
    trip before the handler, and a concurrent delivery of the same event waits on the claimed row
    and then finds it taken. Work a handler does before opening its first unit of work runs
    again on a duplicate, so handlers open it first.
    """

    def __init__(self, inner: Callable, consumer: str, event_id: str):
        self.inner, self.consumer, self.event_id = inner, consumer, event_id
        self.recorded = False

    def __call__(self, *args, **kwargs):
        uow = self.inner(*args, **kwargs)
        if self.recorded or not getattr(uow, "write", True):
            return uow
        open_, commit = uow._open, uow.commit

        def open_and_claim(conn) -> None:
            open_(conn)
            claimed = conn.execute(_CLAIM, {
                "consumer": self.consumer, "event_id": self.event_id, "processed_at": utcnow()}).first()
            if claimed is None:
                raise AlreadyProcessed(self.event_id)

        def commit_and_note() -> None:
            commit()
            self.recorded = True

        uow._open, uow.commit = open_and_claim, commit_and_note
        return uow


class EventConsumer:
    """One consumer (a service's subscription set) over its service's database."""

    def __init__(self, name: str, engine: Engine, uow_factory: Callable, handlers: HandlerMap,
                 max_attempts: int = 5, backoff: float = 0.5, backoff_max: float = 10.0):
        self.name, self.engine, self.uow_factory = name, engine, uow_factory
        self.handlers = dict(handlers)
        self.max_attempts, self.backoff, self.backoff_max = max_attempts, backoff, backoff_max

    def subscriptions(self) -> list[tuple[str, str]]:
        return sorted(self.handlers)

    def deliver(self, body: Any) -> str:
        """Handle one received body; returns applied, duplicate or parked. Never loses it."""
        try:
            env = from_wire(body)
        except UnreadableEvent as exc:
            self._park(body, None, str(exc), attempts=1)
            EVENTS_HANDLED.labels(self.name, "unreadable", "parked").inc()
            return "parked"
        handler = self.handlers.get((env.producer, env.type))
        if handler is None:
            # Bound by a stale subscription: nothing here wants it, and that is not an error.
            EVENTS_HANDLED.labels(self.name, env.type, "ignored").inc()
            return "ignored"
        attempt = outage = 0
        while True:
            attempt += 1
            try:
                outcome = self._apply(env, handler)
            except OperationalError:
                # The database is unreachable: not the event's fault, so it does not count towards
                # parking it; wait and try again (the message stays unacknowledged meanwhile).
                attempt -= 1
                outage += 1
                time.sleep(min(self.backoff * 2 ** outage, self.backoff_max))
                continue
            except UnreadableEvent as exc:
                self._park(body, env, str(exc), attempt)
                outcome = "parked"
            except Exception as exc:
                if attempt >= self.max_attempts:
                    log.warning("event parked after %d attempts", attempt,
                                extra={"fields": {"event_id": env.event_id, "type": env.type}})
                    self._park(body, env, f"{type(exc).__name__}: {exc}", attempt)
                    outcome = "parked"
                else:
                    time.sleep(min(self.backoff * 2 ** (attempt - 1), self.backoff_max))
                    continue
            EVENTS_HANDLED.labels(self.name, env.type, outcome).inc()
            return outcome

    def _apply(self, env: EventEnvelope, handler: Handler) -> str:
        uows = _RecordingUowFactory(self.uow_factory, self.name, env.event_id)
        try:
            handler(env, uows)
        except AlreadyProcessed:
            return "duplicate"
        except IntegrityError:
            # A concurrent delivery of the same event committed first.
            if self._seen(env.event_id):
                return "duplicate"
            raise
        if not uows.recorded:
            # The handler changed nothing (or committed nothing): remember it was handled anyway.
            try:
                with self.engine.begin() as conn:
                    conn.execute(_RECORD, {"consumer": self.name, "event_id": env.event_id, "processed_at": utcnow()})
            except IntegrityError:
                return "duplicate"
        return "applied"

    def _seen(self, event_id: str) -> bool:
        # Autocommit: one round trip instead of BEGIN, SELECT, ROLLBACK for every delivery.
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            return conn.execute(_SEEN, {"consumer": self.name, "event_id": event_id}).first() is not None

    def _park(self, body: Any, env: EventEnvelope | None, reason: str, attempts: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(dead_letters).values(
                consumer=self.name,
                event_id=env.event_id if env else None,
                type=env.type[:80] if env else None,
                tenant=env.tenant[:6] if env else None,
                body=body_text(body),
                reason=reason,
                attempts=attempts,
                parked_at=utcnow(),
            ))

    def replay(self, dead_letter_id: int) -> str:
        """Run the handler once more on a parked body; marks it replayed when it succeeds."""
        with self.engine.connect() as conn:
            row = conn.execute(select(dead_letters).where(
                dead_letters.c.id == dead_letter_id, dead_letters.c.consumer == self.name)).first()
        if row is None:
            raise LookupError(f"no dead letter {dead_letter_id} for consumer {self.name}")
        env = from_wire(row.body)
        handler = self.handlers.get((env.producer, env.type))
        if handler is None:
            raise LookupError(f"consumer {self.name} has no handler for {env.type}")
        outcome = self._apply(env, handler)
        with self.engine.begin() as conn:
            conn.execute(update(dead_letters).where(dead_letters.c.id == dead_letter_id)
                         .values(replayed_at=utcnow()))
        EVENTS_HANDLED.labels(self.name, env.type, "replayed").inc()
        return outcome


def list_dead_letters(engine: Engine, consumer: str | None = None, include_replayed: bool = False,
                      limit: int = 100) -> list[DeadLetter]:
    """Parked events, oldest first, for an operator to read and replay."""
    q = select(dead_letters).order_by(dead_letters.c.id).limit(limit)
    if consumer:
        q = q.where(dead_letters.c.consumer == consumer)
    if not include_replayed:
        q = q.where(dead_letters.c.replayed_at.is_(None))
    with engine.connect() as conn:
        return [DeadLetter(r.id, r.consumer, r.event_id, r.type, r.tenant, r.reason, r.attempts,
                           r.parked_at, r.replayed_at, r.body) for r in conn.execute(q)]
