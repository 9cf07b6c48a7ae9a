"""The groupings aggregate: alliances with their member units, and pairings."""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, or_, select, update

from services.common.clock import as_utc, utcnow
from services.organization.adapters import tables as t
from services.organization.domain.model import Alliance, Pairing


class GroupingRepository:
    """Alliances (党建联盟) and pairings (结对共建)."""

    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    def add_alliance(self, a: Alliance) -> None:
        a.created_at = utcnow()
        self.conn.execute(insert(t.alliances).values(
            id=a.id, tenant=a.tenant, display_name=a.display_name, lead_unit_id=a.lead_unit_id, created_at=a.created_at))
        self.conn.execute(insert(t.alliance_members), [
            dict(alliance_id=a.id, unit_id=u, tenant=a.tenant) for u in a.member_unit_ids])

    def get_alliance(self, alliance_id: str) -> Alliance | None:
        return next(iter(self._alliances(select(t.alliances).where(
            t.alliances.c.tenant == self.tenant, t.alliances.c.id == alliance_id))), None)

    def list_alliances(self, unit_id: str | None, after: str | None, limit: int) -> list[Alliance]:
        query = select(t.alliances).where(t.alliances.c.tenant == self.tenant).order_by(t.alliances.c.id).limit(limit)
        if unit_id:
            member_of = select(t.alliance_members.c.alliance_id).where(
                t.alliance_members.c.tenant == self.tenant, t.alliance_members.c.unit_id == unit_id)
            query = query.where(or_(t.alliances.c.lead_unit_id == unit_id, t.alliances.c.id.in_(member_of)))
        if after:
            query = query.where(t.alliances.c.id > after)
        return self._alliances(query)

    def _alliances(self, query) -> list[Alliance]:
        rows = list(self.conn.execute(query))
        if not rows:
            return []
        members: dict[str, list[str]] = {}
        for m in self.conn.execute(select(t.alliance_members).where(
                t.alliance_members.c.tenant == self.tenant,
                t.alliance_members.c.alliance_id.in_([r.id for r in rows])).order_by(t.alliance_members.c.unit_id)):
            members.setdefault(m.alliance_id, []).append(m.unit_id)
        return [Alliance(r.id, r.tenant, r.display_name, r.lead_unit_id, members.get(r.id, []), as_utc(r.created_at))
                for r in rows]

    def add_pairing(self, p: Pairing) -> None:
        p.created_at = utcnow()
        self.conn.execute(insert(t.pairings).values(
            id=p.id, tenant=p.tenant, organ_display_name=p.organ_display_name, unit_id=p.unit_id,
            start_date=p.start_date, created_at=p.created_at))

    def get_pairing(self, pairing_id: str) -> Pairing | None:
        rows = self._pairings(select(t.pairings).where(t.pairings.c.tenant == self.tenant, t.pairings.c.id == pairing_id))
        return rows[0] if rows else None

    def list_pairings(self, unit_id: str | None, after: str | None, limit: int) -> list[Pairing]:
        query = select(t.pairings).where(t.pairings.c.tenant == self.tenant).order_by(t.pairings.c.id).limit(limit)
        if unit_id:
            query = query.where(t.pairings.c.unit_id == unit_id)
        if after:
            query = query.where(t.pairings.c.id > after)
        return self._pairings(query)

    def _pairings(self, query) -> list[Pairing]:
        return [Pairing(r.id, r.tenant, r.organ_display_name, r.unit_id, r.start_date, as_utc(r.created_at))
                for r in self.conn.execute(query).all()]

    def repoint_unit(self, from_unit: str, to_unit: str) -> list[Alliance]:
        """A merged village's alliances and pairings follow it to the target: the target takes its
        place (once), a lead is never its own member. Returns the alliances left with no member
        besides their lead, which the caller dissolves (an alliance needs a member village)."""
        am = t.alliance_members
        self.conn.execute(update(t.pairings).where(t.pairings.c.tenant == self.tenant, t.pairings.c.unit_id == from_unit)
                          .values(unit_id=to_unit))
        self.conn.execute(update(t.alliances).where(t.alliances.c.tenant == self.tenant,
                                                    t.alliances.c.lead_unit_id == from_unit).values(lead_unit_id=to_unit))
        already = select(am.c.alliance_id).where(am.c.tenant == self.tenant, am.c.unit_id == to_unit)
        self.conn.execute(update(am).where(am.c.tenant == self.tenant, am.c.unit_id == from_unit,
                                           am.c.alliance_id.not_in(already)).values(unit_id=to_unit))
        self.conn.execute(delete(am).where(am.c.tenant == self.tenant, am.c.unit_id == from_unit))
        led = select(t.alliances.c.id).where(t.alliances.c.tenant == self.tenant, t.alliances.c.lead_unit_id == to_unit)
        self.conn.execute(delete(am).where(am.c.tenant == self.tenant, am.c.unit_id == to_unit,
                                           am.c.alliance_id.in_(led)))
        has_member = select(am.c.alliance_id).where(am.c.tenant == self.tenant)
        return self._alliances(select(t.alliances).where(
            t.alliances.c.tenant == self.tenant, t.alliances.c.lead_unit_id == to_unit,
            t.alliances.c.id.not_in(has_member)))

    def remove_alliance(self, alliance_id: str) -> None:
        self.conn.execute(delete(t.alliance_members).where(t.alliance_members.c.tenant == self.tenant,
                                                           t.alliance_members.c.alliance_id == alliance_id))
        self.conn.execute(delete(t.alliances).where(t.alliances.c.tenant == self.tenant, t.alliances.c.id == alliance_id))
