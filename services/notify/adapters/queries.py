"""The read side: a unit's inbox and the listings of notices, keyset-paged (newest first)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, and_, case, func, or_, select

from services.common.directory import Directory
from services.notify.adapters import tables
from services.notify.adapters.repositories.notices import notice_from_row, recipient_from_row
from services.notify.domain.notices import Notice, Recipient

n, r = tables.notices, tables.notice_recipients


@dataclass(frozen=True)
class InboxItem:
    notice: Notice
    recipient: Recipient


def _before(columns: list, position: list) -> ColumnElement[bool]:
    """Rows after `position` in a listing sorted by `columns`, each descending."""
    (column, value), rest = (columns[0], position[0]), (columns[1:], position[1:])
    if not rest[0]:
        return column < value
    return or_(column < value, and_(column == value, _before(*rest)))


class NotifyQueries:
    def __init__(self, conn: Connection, tenant: str, directory: Directory):
        self.conn, self.tenant, self.directory = conn, tenant, directory

    def inbox(self, unit_id: str, unread_only: bool, after: list | None, limit: int) -> list[tuple[InboxItem, list]]:
        """A unit's copies, unread first, then newest first; each with its page position."""
        unread = case((r.c.read_at.is_(None), 1), else_=0)
        query = (select(r, *(c.label(f"n_{c.name}") for c in n.c), unread.label("unread"))
                 .join(n, and_(n.c.tenant == r.c.tenant, n.c.id == r.c.notice_id))
                 .where(r.c.tenant == self.tenant, r.c.unit_id == unit_id))
        if unread_only:
            query = query.where(r.c.read_at.is_(None))
        if after is not None:
            query = query.where(_before([unread, r.c.sent_at, r.c.notice_id],
                                        [after[0], dt.datetime.fromisoformat(after[1]), after[2]]))
        rows = self.conn.execute(query.order_by(unread.desc(), r.c.sent_at.desc(), r.c.notice_id.desc()).limit(limit))
        out = []
        for row in rows:
            recipient = recipient_from_row(row)
            notice = notice_from_row(_Prefixed(row, "n_"))
            out.append((InboxItem(notice, recipient), [row.unread, recipient.sent_at.isoformat(), row.notice_id]))
        return out

    def count_inbox(self, unit_id: str) -> tuple[int, int]:
        """(unread, total) copies in a unit's inbox."""
        row = self.conn.execute(select(func.count().filter(r.c.read_at.is_(None)), func.count()).where(
            r.c.tenant == self.tenant, r.c.unit_id == unit_id)).one()
        return row[0], row[1]

    def notices(self, sent_by: str | None, county_sent: bool, addressed_to: str | None,
                sender_within: str | None, after: list | None, limit: int) -> list[tuple[Notice, list]]:
        """Notices newest first: sent by a unit (or the county), addressed to one, or sent from inside
        the subtree of `sender_within` (a unit id)."""
        query = select(n).where(n.c.tenant == self.tenant)
        if county_sent:
            query = query.where(n.c.sender_unit_id.is_(None))
        elif sent_by is not None:
            query = query.where(n.c.sender_unit_id == sent_by)
        if addressed_to is not None:
            query = query.where(n.c.id.in_(select(r.c.notice_id).where(r.c.tenant == self.tenant,
                                                                       r.c.unit_id == addressed_to)))
        if sender_within is not None:
            query = query.where(self.directory.in_subtree(n.c.sender_unit_id, sender_within))
        if after is not None:
            query = query.where(_before([n.c.created_at, n.c.id], [dt.datetime.fromisoformat(after[0]), after[1]]))
        rows = self.conn.execute(query.order_by(n.c.created_at.desc(), n.c.id.desc()).limit(limit))
        return [(notice, [notice.created_at.isoformat(), notice.id]) for notice in map(notice_from_row, rows)]


class _Prefixed:
    """A joined row's notice columns (labelled `n_<name>`) read by their own names."""

    def __init__(self, row, prefix: str):
        self._row, self._prefix = row, prefix

    def __getattr__(self, name: str):
        return getattr(self._row, self._prefix + name)
