"""Who a new round assesses, read from this service's directory of the organization: the active
units of one type in a subtree, or the current secretaries (书记) of its active villages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, select

from services.common.db import LIKE_ESCAPE, like_prefix
from services.common.directory.tables import DirectoryTables

_ACTIVE = "ACTIVE"


@dataclass(frozen=True)
class Candidate:
    unit_id: str
    unit_path: str
    unit_display_name: str
    member_id: str = ""  # SECRETARY targets
    member_display_name: str = ""


class RoundCandidates:
    def __init__(self, conn: Connection, directory: DirectoryTables, tenant: str):
        self.conn, self.d, self.tenant = conn, directory, tenant

    def _in_scope(self, path_prefix: str):
        u = self.d.units
        condition = and_(u.c.tenant == self.tenant, u.c.state == _ACTIVE)
        if path_prefix != "/":
            condition = and_(condition, u.c.path.like(like_prefix(path_prefix), escape=LIKE_ESCAPE))
        return condition

    def units(self, unit_type: str, path_prefix: str) -> list[Candidate]:
        """Active units of `unit_type` whose path starts with `path_prefix` ("/": the county), in tree order."""
        u = self.d.units
        rows = self.conn.execute(select(u.c.id, u.c.path, u.c.display_name)
                                 .where(self._in_scope(path_prefix), u.c.type == unit_type).order_by(u.c.path))
        return [Candidate(row.id, row.path, row.display_name) for row in rows]

    def secretaries(self, path_prefix: str) -> list[Candidate]:
        """The current SECRETARY posts of the active villages in scope, in tree order."""
        u, p, m = self.d.units, self.d.posts, self.d.members
        rows = self.conn.execute(
            select(u.c.id, u.c.path, u.c.display_name, p.c.member_id, p.c.member_display_name,
                   m.c.display_name.label("member_name"))
            .select_from(u.join(p, and_(p.c.tenant == u.c.tenant, p.c.unit_id == u.c.id))
                         .outerjoin(m, and_(m.c.tenant == p.c.tenant, m.c.id == p.c.member_id)))
            .where(self._in_scope(path_prefix), u.c.type == "VILLAGE", p.c.type == "SECRETARY",
                   p.c.current.is_(True))
            .order_by(u.c.path, p.c.member_id))
        return [Candidate(row.id, row.path, row.display_name, row.member_id,
                          row.member_name or row.member_display_name) for row in rows]
