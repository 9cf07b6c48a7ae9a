"""The delivery process's tables: the queue of due messages across counties, the log of every
channel call (rate windows count it, ListWebhookDeliveries reads it) and the SMS sink."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, or_, select, update

from services.common.archive import ARCHIVED
from services.common.clock import as_utc
from services.common.ids import new_id
from services.notify.adapters import tables
from services.notify.adapters.repositories.messages import message_from_row

m, a, s = tables.messages, tables.delivery_attempts, tables.sms_sink
CHANNELS = ("SMS", "WEBHOOK")  # the inbox is delivered when stored


@dataclass(frozen=True)
class Attempt:
    message_id: str
    channel: str
    recipient_id: str
    event_type: str
    attempt: int
    status_code: int
    duration_ms: int
    outcome: str
    error: str
    attempted_at: dt.datetime


@dataclass(frozen=True)
class SinkEntry:
    message_id: str
    phone_masked: str
    text: str
    segments: int
    created_at: dt.datetime
    id: str = ""


def _older(at_column, id_column, after: tuple[str, str]):
    """Rows after a newest-first page's last (time, id): older, or as old with a smaller id."""
    at = dt.datetime.fromisoformat(after[0])
    return or_(at_column < at, and_(at_column == at, id_column < after[1]))


def claim_due(conn: Connection, now: dt.datetime, lease: dt.timedelta, limit: int) -> list[tuple[str, str, str]]:
    """(tenant, message id, channel) of up to `limit` due QUEUED messages of every county, leased until
    now + lease: another delivery process skips them (PostgreSQL: FOR UPDATE SKIP LOCKED while
    claiming, then the lease), and a process that dies leaves them due again when it runs out."""
    # An archived county's messages stay queued: it is offboarded (services/common/archive.py).
    due = and_(m.c.channel.in_(CHANNELS), m.c.status == "QUEUED",
               or_(m.c.next_attempt_at.is_(None), m.c.next_attempt_at <= now),
               m.c.tenant.not_in(select(ARCHIVED.c.tenant)))
    stmt = select(m.c.tenant, m.c.id, m.c.channel).where(due).order_by(m.c.next_attempt_at, m.c.created_at).limit(limit)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    rows = [(r.tenant, r.id, r.channel) for r in conn.execute(stmt)]
    for tenant, message_id, _ in rows:
        conn.execute(update(m).where(m.c.tenant == tenant, m.c.id == message_id)
                     .values(next_attempt_at=now + lease, version=m.c.version + 1))
    return rows


class DeliveryLog:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    def record(self, attempt: Attempt) -> None:
        self.conn.execute(a.insert().values(tenant=self.tenant, id=new_id("dlv"), **attempt.__dict__))

    def set_address(self, message_id: str, masked: str) -> None:
        """Where an SMS went, masked (138****0000): the phone itself is never stored."""
        self.conn.execute(update(m).where(m.c.tenant == self.tenant, m.c.id == message_id).values(address=masked))

    def calls_since(self, channel: str, since: dt.datetime) -> int:
        """Calls of the county on a channel since `since`: what its rate window has used."""
        return self.conn.execute(select(func.count()).select_from(a).where(
            a.c.tenant == self.tenant, a.c.channel == channel, a.c.attempted_at >= since)).scalar_one()

    def of_recipient(self, recipient_id: str, after: tuple[str, str] | None, limit: int) -> list[tuple[str, Attempt]]:
        """An endpoint's calls, newest first, after a (time, id) position: [(id, attempt)]."""
        stmt = select(a).where(a.c.tenant == self.tenant, a.c.recipient_id == recipient_id)
        if after is not None:
            stmt = stmt.where(_older(a.c.attempted_at, a.c.id, after))
        rows = self.conn.execute(stmt.order_by(a.c.attempted_at.desc(), a.c.id.desc()).limit(limit))
        return [(r.id, Attempt(r.message_id, r.channel, r.recipient_id, r.event_type, r.attempt, r.status_code,
                               r.duration_ms, r.outcome, r.error, as_utc(r.attempted_at))) for r in rows]

    def add_sink(self, entry: SinkEntry) -> None:
        values = {k: v for k, v in entry.__dict__.items() if k != "id"}
        self.conn.execute(s.insert().values(tenant=self.tenant, id=new_id("sms"), **values))

    def sink_page(self, after: tuple[str, str] | None, limit: int) -> list[SinkEntry]:
        stmt = select(s).where(s.c.tenant == self.tenant)
        if after is not None:
            stmt = stmt.where(_older(s.c.created_at, s.c.id, after))
        rows = self.conn.execute(stmt.order_by(s.c.created_at.desc(), s.c.id.desc()).limit(limit))
        return [SinkEntry(r.message_id, r.phone_masked, r.text, r.segments, as_utc(r.created_at), r.id) for r in rows]


class MessageListing:
    """The county's messages on every channel, newest first (GetMessage reads uow.messages)."""

    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    def page(self, channel: str | None, status: str | None, recipient: tuple[str, str] | None,
             after: tuple[str, str] | None, limit: int) -> list:
        stmt = select(m).where(m.c.tenant == self.tenant)
        if channel:
            stmt = stmt.where(m.c.channel == channel)
        if status:
            stmt = stmt.where(m.c.status == status)
        if recipient:
            stmt = stmt.where(m.c.recipient_kind == recipient[0], m.c.recipient_id == recipient[1])
        if after is not None:
            stmt = stmt.where(_older(m.c.created_at, m.c.id, after))
        rows = self.conn.execute(stmt.order_by(m.c.created_at.desc(), m.c.id.desc()).limit(limit))
        return [message_from_row(row) for row in rows]
