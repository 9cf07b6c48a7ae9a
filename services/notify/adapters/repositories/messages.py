"""Messages on every channel, tenant-scoped. `add` skips a message whose dedupe key is stored."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Connection, and_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from services.common.clock import as_utc
from services.notify.adapters import tables
from services.notify.domain.messages import (
    FINAL,
    Channel,
    Message,
    Recipient,
    RecipientKind,
    SourceKind,
    Status,
)

m = tables.messages
CHUNK = 500  # rows per INSERT: under both databases' parameter limits at 27 columns


def _utc(value):
    return None if value is None else as_utc(value)


def message_from_row(row) -> Message:
    return Message(
        row.tenant, row.id, Channel(row.channel),
        Recipient(RecipientKind(row.recipient_kind), row.recipient_id, row.recipient_display_name, row.address),
        SourceKind(row.source_kind), row.source_key, row.source_type, row.subject, row.body, row.payload, row.urgent,
        Status(row.status), row.status_reason, row.attempts, as_utc(row.created_at), _utc(row.next_attempt_at),
        _utc(row.sent_at), _utc(row.delivered_at), _utc(row.read_at), row.notice_id, row.unit_id, row.version,
    )


def _row(msg: Message) -> dict:
    r = msg.recipient
    return {
        "tenant": msg.tenant, "id": msg.id, "channel": msg.channel.value, "recipient_kind": r.kind.value,
        "recipient_id": r.id, "recipient_display_name": r.display_name, "address": r.address,
        "source_kind": msg.source_kind.value, "source_key": msg.source_key, "source_type": msg.source_type,
        "subject": msg.subject, "body": msg.body, "payload": msg.payload, "urgent": msg.urgent,
        "status": msg.status.value, "status_reason": msg.status_reason, "attempts": msg.attempts,
        "created_at": msg.created_at, "next_attempt_at": msg.next_attempt_at, "sent_at": msg.sent_at,
        "delivered_at": msg.delivered_at, "read_at": msg.read_at, "notice_id": msg.notice_id,
        "unit_id": msg.unit_id, "version": msg.version,
    }


_PROGRESS = ("status", "status_reason", "attempts", "next_attempt_at", "sent_at", "delivered_at", "read_at",
             "version")


@dataclass
class Batch:
    """Messages collected by `MessageRepository.batched()`; `stored` once the batch is written."""

    messages: list[Message] = field(default_factory=list)
    stored: list[Message] = field(default_factory=list)


class MessageRepository:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant
        self._batch: Batch | None = None

    @contextmanager
    def batched(self) -> Iterator[Batch]:
        """Within it, `add` only collects (and answers every message as new); leaving it stores them
        all in a few statements. For a producer composing thousands of sources at once (the reminder
        sweep): one INSERT per 500 messages instead of one per source."""
        batch = self._batch = Batch()
        try:
            yield batch
        finally:
            self._batch = None
        batch.stored = self._insert(batch.messages)

    def add(self, messages: Iterable[Message]) -> list[Message]:
        """Store new messages; those whose (source, channel, recipient) is stored already are
        skipped, concurrent writers included (ON CONFLICT DO NOTHING). Returns the ones stored."""
        messages = list(messages)
        if self._batch is not None:
            self._batch.messages += messages
            return messages
        return self._insert(messages)

    def _insert(self, messages: list[Message]) -> list[Message]:
        rows = [_row(msg) for msg in messages]
        dialect = postgresql if self.conn.dialect.name == "postgresql" else sqlite
        stored: set[str] = set()
        # One statement executed over many rows: SQLAlchemy batches it into multi-row INSERTs
        # ("insertmanyvalues") from one compiled form, RETURNING the ids actually stored.
        stmt = dialect.insert(m).on_conflict_do_nothing().returning(m.c.id)
        for start in range(0, len(rows), CHUNK):
            stored.update(self.conn.execute(stmt, rows[start:start + CHUNK]).scalars())
        return [msg for msg in messages if msg.id in stored]

    def get(self, message_id: str) -> Message | None:
        row = self.conn.execute(select(m).where(m.c.tenant == self.tenant, m.c.id == message_id)).first()
        return None if row is None else message_from_row(row)

    def save(self, msg: Message) -> bool:
        """Write a message's progress if nobody moved it meanwhile (its version was msg.version - 1)."""
        values = {name: value for name, value in _row(msg).items() if name in _PROGRESS}
        done = self.conn.execute(update(m).where(
            m.c.tenant == self.tenant, m.c.id == msg.id, m.c.version == msg.version - 1).values(**values))
        return done.rowcount == 1

    def for_notice(self, notice_id: str, unit_id: str | None = None, pending_only: bool = True) -> list[Message]:
        """The reminders and escalations of a notice (of one addressed unit's copy)."""
        cond = [m.c.tenant == self.tenant, m.c.notice_id == notice_id]
        if unit_id is not None:
            cond.append(m.c.unit_id == unit_id)
        if pending_only:
            cond.append(m.c.status.not_in([s.value for s in FINAL]))
        return [message_from_row(row) for row in self.conn.execute(select(m).where(and_(*cond)).order_by(m.c.id))]

