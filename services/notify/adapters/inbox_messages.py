"""The read side of the inbox of messages: a recipient's INBOX messages, unread first, newest
first, keyset-paged, and their counts (ix_messages_inbox)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, case, func, select

from services.notify.adapters import tables
from services.notify.adapters.queries import _before
from services.notify.adapters.repositories.messages import message_from_row
from services.notify.domain.messages import Channel, Message, RecipientKind

m = tables.messages


class InboxMessages:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    def _of(self, kind: RecipientKind, recipient_id: str):
        return (m.c.tenant == self.tenant, m.c.recipient_kind == kind.value, m.c.recipient_id == recipient_id,
                m.c.channel == Channel.INBOX.value)

    def page(self, kind: RecipientKind, recipient_id: str, unread_only: bool, after: list | None,
             limit: int) -> list[tuple[Message, list]]:
        """Each message with its page position [unread, created_at, id]."""
        unread = case((m.c.read_at.is_(None), 1), else_=0)
        query = select(m, unread.label("unread")).where(*self._of(kind, recipient_id))
        if unread_only:
            query = query.where(m.c.read_at.is_(None))
        if after is not None:
            query = query.where(_before([unread, m.c.created_at, m.c.id],
                                        [after[0], dt.datetime.fromisoformat(after[1]), after[2]]))
        rows = self.conn.execute(query.order_by(unread.desc(), m.c.created_at.desc(), m.c.id.desc()).limit(limit))
        out = []
        for row in rows:
            msg = message_from_row(row)
            out.append((msg, [row.unread, msg.created_at.isoformat(), msg.id]))
        return out

    def counts(self, kind: RecipientKind, recipient_id: str) -> tuple[int, int]:
        """(unread, total) of a recipient's inbox."""
        row = self.conn.execute(select(func.count().filter(m.c.read_at.is_(None)), func.count())
                                .where(*self._of(kind, recipient_id))).one()
        return row[0], row[1]
