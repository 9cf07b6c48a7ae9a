"""Where a notice stands at any size: counts in SQL (over every recipient, whatever the page),
and the recipients one keyset page at a time, in the order of the status view (parent, name)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, and_, func, or_, select

from services.notify.adapters import tables
from services.notify.adapters.repositories.notices import recipient_from_row
from services.notify.domain.notices import Recipient
from services.notify.domain.status_counts import Tally

r = tables.notice_recipients
CHUNK = 1000


def _tally_columns():
    missing_report = r.c.reported_at.is_(None)
    return (func.count(), func.count(r.c.read_at), func.count(r.c.acknowledged_at), func.count(r.c.reported_at),
            func.count().filter(and_(r.c.acknowledged_at.is_(None), missing_report)))


def _tally(row, offset: int = 0) -> Tally:
    total, read, acknowledged, reported, unacknowledged = row[offset:offset + 5]
    return Tally(total, read, acknowledged, reported, unacknowledged)


class StatusQueries:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    def tallies(self, notice_ids: Iterable[str]) -> dict[str, Tally]:
        """Each notice's copies counted: read, acknowledged, reported, neither acknowledged nor reported."""
        ids, found = sorted(set(notice_ids)), {}
        for start in range(0, len(ids), CHUNK):
            rows = self.conn.execute(select(r.c.notice_id, *_tally_columns()).where(
                r.c.tenant == self.tenant, r.c.notice_id.in_(ids[start:start + CHUNK])).group_by(r.c.notice_id))
            found.update({row[0]: _tally(row, 1) for row in rows})
        return found

    def tallies_per_parent(self, notice_id: str) -> list[tuple[str | None, str, Tally]]:
        """A notice's copies counted per parent unit at send time: (parent id, its name, tally)."""
        rows = self.conn.execute(select(r.c.parent_unit_id, func.max(r.c.parent_display_name), *_tally_columns())
                                 .where(r.c.tenant == self.tenant, r.c.notice_id == notice_id)
                                 .group_by(r.c.parent_unit_id))
        return [(row[0], row[1] or "", _tally(row, 2)) for row in rows]

    def forwarded(self, notice_ids: Iterable[str]) -> list[str]:
        """The notices these notices' recipients forwarded them as."""
        ids, found = sorted(set(notice_ids)), []
        for start in range(0, len(ids), CHUNK):
            found += self.conn.execute(select(r.c.forwarded_notice_id).where(
                r.c.tenant == self.tenant, r.c.notice_id.in_(ids[start:start + CHUNK]),
                r.c.forwarded_notice_id.is_not(None))).scalars().all()
        return found

    def page(self, notice_id: str, after: list | None, limit: int) -> list[Recipient]:
        """A notice's copies by parent name, unit name and id, after `after` (that position)."""
        key = (r.c.parent_display_name, r.c.unit_display_name, r.c.unit_id)
        query = select(r).where(r.c.tenant == self.tenant, r.c.notice_id == notice_id)
        if after is not None:
            parent, name, unit_id = after
            query = query.where(or_(key[0] > parent, and_(key[0] == parent, or_(
                key[1] > name, and_(key[1] == name, key[2] > unit_id)))))
        return [recipient_from_row(row) for row in self.conn.execute(query.order_by(*key).limit(limit))]
