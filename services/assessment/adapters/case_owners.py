"""Who answers for a weak unit's case, read from this service's directory in bulk: each active
unit with its current secretary (书记), as a finalize opens one case per weak unit.

One query per CHUNK units instead of three per unit (unit, posts, member): a province-sized
round grades thousands of villages weak at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, and_, select

from services.common.directory.repository import CHUNK, Directory
from services.common.directory.tables import DirectoryTables

_ACTIVE, SECRETARY = "ACTIVE", "SECRETARY"


@dataclass(frozen=True)
class UnitHolder:
    """An active unit and its secretary; `member_known` when the directory holds the member row."""

    unit_id: str
    display_name: str
    secretary_member_id: str = ""
    secretary_name: str = ""
    member_known: bool = False


class CaseOwners:
    def __init__(self, conn: Connection, tables: DirectoryTables, directory: Directory):
        self.conn, self.d, self.directory, self.tenant = conn, tables, directory, directory.tenant_code

    def holders(self, unit_ids: Sequence[str]) -> dict[str, UnitHolder]:
        """The active units among `unit_ids` (one merged or dissolved is left out), each with its
        first current SECRETARY post by post id (as `current_posts` orders them). A unit the
        directory does not hold is read through to the organization, one by one."""
        u, p, m = self.d.units, self.d.posts, self.d.members
        found: dict[str, UnitHolder] = {}
        ids = list(dict.fromkeys(unit_ids))
        for start in range(0, len(ids), CHUNK):
            rows = self.conn.execute(
                select(u.c.id, u.c.display_name, p.c.member_id, p.c.member_display_name,
                       m.c.id.label("known"), m.c.display_name.label("member_name"))
                .select_from(u.outerjoin(p, and_(p.c.tenant == u.c.tenant, p.c.unit_id == u.c.id,
                                                 p.c.type == SECRETARY, p.c.current.is_(True)))
                             .outerjoin(m, and_(m.c.tenant == p.c.tenant, m.c.id == p.c.member_id)))
                .where(u.c.tenant == self.tenant, u.c.id.in_(ids[start:start + CHUNK]), u.c.state == _ACTIVE)
                .order_by(u.c.id, p.c.id))
            for row in rows:
                if row.id in found:
                    continue
                found[row.id] = UnitHolder(row.id, row.display_name, row.member_id or "",
                                           row.member_name or row.member_display_name or "", row.known is not None)
        for unit_id in ids:
            if unit_id not in found:
                self._read_through(unit_id, found)
        return found

    def _read_through(self, unit_id: str, found: dict[str, UnitHolder]) -> None:
        unit = self.directory.unit(unit_id)
        if unit is None or not unit.active:
            return
        post = next((p for p in self.directory.current_posts(unit_id=unit_id) if p.type == SECRETARY), None)
        found[unit_id] = UnitHolder(unit_id, unit.display_name, post.member_id if post else "",
                                    post.member_display_name if post else "")
