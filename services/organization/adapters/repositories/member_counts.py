"""Units' member counts as a column (units.member_count) that the member repository shifts in
the transaction of each write: a create, an import, a transfer in or out, an update that moves a
member, a merge. ListUnits then reads a page of units and nothing else.

Only active members count. The shifts go out in unit-id order: two transactions shifting the same
units lock their rows in one order and cannot deadlock on each other.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Connection, bindparam, update

from services.organization.adapters import tables as t

_SHIFT = (update(t.units)
          .where(t.units.c.tenant == bindparam("t"), t.units.c.id == bindparam("unit"))
          .values(member_count=t.units.c.member_count + bindparam("delta")))


class MemberCounts:
    """Adds to or takes from units' member counts; a unit's version and etag stay as they are
    (a count is not a change of the unit)."""

    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    def shift(self, deltas: Counter[str]) -> None:
        rows = [{"t": self.tenant, "unit": unit, "delta": delta} for unit, delta in sorted(deltas.items()) if delta]
        if rows:
            self.conn.execute(_SHIFT, rows)
