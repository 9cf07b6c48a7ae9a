"""What the reminder sweep reads: open copies of notices due in a window, the reminder steps
already stored, queued reminders of copies that are done, and the units a calendar date tells."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, and_, distinct, not_, or_, select

from services.notify.adapters import tables
from services.notify.adapters.repositories.messages import message_from_row
from services.notify.adapters.repositories.notices import notice_from_row, recipient_from_row
from services.notify.domain.messages import Message, SourceKind, Status
from services.notify.domain.notices import Notice, Recipient

n, r, m = tables.notices, tables.notice_recipients, tables.messages
units = tables.directory.units
CHUNK = 1000
_NOTICE_KINDS = (SourceKind.REMINDER.value, SourceKind.ESCALATION.value)


def _open_copy():
    """A copy that lacks what its notice asks for (domain/reminders.is_open, in SQL)."""
    return or_(and_(n.c.requires_report, r.c.reported_at.is_(None)),
               and_(not_(n.c.requires_report), n.c.requires_ack, r.c.acknowledged_at.is_(None),
                    r.c.reported_at.is_(None)))


class ReminderQueries:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    def tenants(self) -> list[str]:
        """Every county notify knows (a transaction bound to every tenant)."""
        return list(self.conn.execute(select(distinct(tables.directory.tenants.c.tenant)).order_by(
            tables.directory.tenants.c.tenant)).scalars())

    def open_copies(self, due_from: dt.datetime, due_to: dt.datetime) -> list[tuple[Notice, Recipient]]:
        """Open copies of the notices due between the two moments, by notice and unit."""
        due = and_(n.c.tenant == self.tenant, n.c.due_at.is_not(None), n.c.due_at >= due_from, n.c.due_at <= due_to,
                   or_(n.c.requires_ack, n.c.requires_report))
        notices = {row.id: notice_from_row(row) for row in self.conn.execute(select(n).where(due))}
        if not notices:
            return []
        query = (select(r).join(n, and_(n.c.tenant == r.c.tenant, n.c.id == r.c.notice_id))
                 .where(due, _open_copy()).order_by(r.c.notice_id, r.c.unit_id))
        return [(notices[row.notice_id], recipient_from_row(row)) for row in self.conn.execute(query)]

    def stored_keys(self, notice_ids: Iterable[str]) -> set[str]:
        """The source keys of the reminders and escalations stored for these notices."""
        ids, found = sorted(set(notice_ids)), set()
        for start in range(0, len(ids), CHUNK):
            found.update(self.conn.execute(select(distinct(m.c.source_key)).where(
                m.c.tenant == self.tenant, m.c.notice_id.in_(ids[start:start + CHUNK]),
                m.c.source_kind.in_(_NOTICE_KINDS))).scalars())
        return found

    def queued_for_done_copies(self) -> list[Message]:
        """Queued reminders and escalations whose copy has meanwhile got what its notice asks for."""
        query = (select(m).join(r, and_(r.c.tenant == m.c.tenant, r.c.notice_id == m.c.notice_id,
                                         r.c.unit_id == m.c.unit_id))
                 .join(n, and_(n.c.tenant == r.c.tenant, n.c.id == r.c.notice_id))
                 .where(m.c.tenant == self.tenant, m.c.status == Status.QUEUED.value,
                        m.c.source_kind.in_(_NOTICE_KINDS), not_(_open_copy())))
        return [message_from_row(row) for row in self.conn.execute(query)]

    def told(self, source_key: str) -> set[str]:
        """The recipients a source (a calendar date) has already made a message for."""
        return set(self.conn.execute(select(m.c.recipient_id).where(
            m.c.tenant == self.tenant, m.c.source_key == source_key)).scalars())

    def active_units(self, unit_types: Iterable[str]) -> list[tuple[str, str]]:
        """(id, name) of the county's active units of these types, in path order."""
        query = select(units.c.id, units.c.display_name).where(
            units.c.tenant == self.tenant, units.c.state == "ACTIVE", units.c.type.in_(sorted(set(unit_types))))
        return [(row.id, row.display_name) for row in self.conn.execute(query.order_by(units.c.path))]
