"""The ledger's read side: entry listings, per-rule totals, members with their balances."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, select

from services.common.directory import DirectoryTables
from services.common.directory.model import DirectoryMember, DirectoryUnit
from services.points.adapters import tables
from services.points.adapters.repositories.ledger import entry_of
from services.points.domain.ledger import Entry

_E = tables.entries
_ACTIVE = "MEMBER_ACTIVE"


@dataclass(frozen=True)
class EntryFilter:
    member_id: str = ""
    year: int = 0
    rule_code: str = ""
    status: str = ""
    subtree: ColumnElement[bool] | None = None  # directory members' unit condition (uow.directory.in_subtree)


@dataclass(frozen=True)
class YearBalance:
    balance: int
    status: str


class LedgerQueries:
    def __init__(self, conn: Connection, tenant: str, directory: DirectoryTables):
        self.conn, self.tenant, self.directory = conn, tenant, directory

    def entries(self, where: EntryFilter, before_seq: int | None, limit: int) -> list[Entry]:
        """Entries newest first (by chain position), after the page's position."""
        query = select(_E).where(_E.c.tenant == self.tenant)
        if where.member_id:
            query = query.where(_E.c.member_id == where.member_id)
        if where.year:
            query = query.where(_E.c.year == where.year)
        if where.rule_code:
            query = query.where(_E.c.rule_code == where.rule_code)
        if where.status:
            query = query.where(_E.c.status == where.status)
        if where.subtree is not None:
            m = self.directory.members
            query = query.where(_E.c.member_id.in_(select(m.c.id).where(m.c.tenant == self.tenant, where.subtree)))
        if before_seq is not None:
            query = query.where(_E.c.seq < before_seq)
        return [entry_of(row) for row in self.conn.execute(query.order_by(_E.c.seq.desc()).limit(limit))]

    def rule_totals(self, member_id: str, year: int) -> list[tuple[str, int, int, int]]:
        """(rule code, counted points, quantity, points pending) of a member's year, by rule code."""
        r = tables.rule_totals
        rows = self.conn.execute(select(r.c.rule_code, r.c.points, r.c.quantity, r.c.reserved).where(
            r.c.tenant == self.tenant, r.c.member_id == member_id, r.c.year == year).order_by(r.c.rule_code))
        return [(row.rule_code, row.points, row.quantity, row.reserved) for row in rows]

    def active_members_with_balances(self, subtree: ColumnElement[bool] | None,
                                     year: int) -> list[tuple[DirectoryMember, YearBalance | None]]:
        """Active members of the county or a subtree, each with their stored balance of the year
        (None: the base), in one read: the balances of members outside the subtree are not read."""
        m, b = self.directory.members, tables.balances
        joined = m.outerjoin(b, (b.c.tenant == m.c.tenant) & (b.c.member_id == m.c.id) & (b.c.year == year))
        query = select(m, b.c.balance, b.c.status.label("balance_status")).select_from(joined).where(
            m.c.tenant == self.tenant, m.c.state == _ACTIVE)
        if subtree is not None:
            query = query.where(subtree)
        fields = DirectoryMember.__dataclass_fields__
        out = []
        for row in self.conn.execute(query.order_by(m.c.id)):
            mapping = row._mapping
            stored = None if mapping["balance"] is None else YearBalance(mapping["balance"], mapping["balance_status"])
            out.append((DirectoryMember(**{name: mapping[name] for name in fields}), stored))
        return out

    def members(self, member_ids: list[str]) -> dict[str, DirectoryMember]:
        """The directory's rows of these members, in one read (a batch's; missing ones are absent)."""
        m = self.directory.members
        fields = DirectoryMember.__dataclass_fields__
        rows = self.conn.execute(select(m).where(m.c.tenant == self.tenant, m.c.id.in_(member_ids)))
        return {row.id: DirectoryMember(**{name: row._mapping[name] for name in fields}) for row in rows}

    def active_members(self, subtree: ColumnElement[bool] | None) -> list[DirectoryMember]:
        """Active members of the county, or of a subtree (uow.directory.in_subtree on their unit)."""
        m = self.directory.members
        query = select(m).where(m.c.tenant == self.tenant, m.c.state == _ACTIVE)
        if subtree is not None:
            query = query.where(subtree)
        fields = DirectoryMember.__dataclass_fields__
        return [DirectoryMember(**{name: row._mapping[name] for name in fields})
                for row in self.conn.execute(query.order_by(m.c.id))]

    def units(self) -> list[DirectoryUnit]:
        """Every unit of the county the directory knows, in path order."""
        u = self.directory.units
        fields = DirectoryUnit.__dataclass_fields__
        return [DirectoryUnit(**{name: row._mapping[name] for name in fields})
                for row in self.conn.execute(select(u).where(u.c.tenant == self.tenant).order_by(u.c.path))]
