"""The member aggregate: members, their history, and the platform-wide person registry (one
active county per ID number). Personal data is sealed at rest with the deployment's data key."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Connection, delete, insert, select, update

from services.common.clock import as_utc, utcnow
from services.common.sealing import DataKey
from services.organization.adapters import tables as t
from services.organization.adapters.repositories._sql import CHUNK
from services.organization.adapters.repositories.member_counts import MemberCounts
from services.organization.domain.model import (
    HistoryEntry,
    Member,
    MemberCategory,
    MemberState,
    MemberStatus,
)

ID_CARD, PHONE, BIRTH_DATE = "id_card_number", "phone", "birth_date"  # sealing fields
_ACTIVE = MemberState.ACTIVE.value


class MemberRepository:
    def __init__(self, conn: Connection, tenant: str, key: DataKey | None):
        self.conn, self.tenant, self._key = conn, tenant, key
        self.counts = MemberCounts(conn, tenant)
        # Each loaded member's unit and whether it counts, as stored: an update that changes
        # either shifts the units' counts (units.member_count).
        self._stored: dict[str, tuple[str, bool]] = {}

    @property
    def key(self) -> DataKey:
        if self._key is None:
            raise RuntimeError("this unit of work was built without a data key (PB_DATA_KEY)")
        return self._key

    def _from_row(self, row) -> Member:
        key = self.key
        self._stored[row.id] = (row.unit_id, row.state == _ACTIVE)
        return Member(
            id=row.id, tenant=row.tenant, unit_id=row.unit_id, display_name=row.display_name,
            gender=row.gender, id_card_number=key.open(ID_CARD, row.id_card_sealed),
            phone=key.open(PHONE, row.phone_sealed),
            status=MemberStatus(row.status), category=MemberCategory(row.category), joined_on=row.joined_on,
            education=row.education, birth_date=key.open(BIRTH_DATE, row.birth_date_sealed),
            state=MemberState(row.state),
            version=row.version, created_at=as_utc(row.created_at), updated_at=as_utc(row.updated_at),
        )

    def _select(self):
        return select(t.members).where(t.members.c.tenant == self.tenant)

    def get(self, member_id: str) -> Member | None:
        row = self.conn.execute(self._select().where(t.members.c.id == member_id)).first()
        return self._from_row(row) if row else None

    def get_many(self, member_ids: list[str]) -> dict[str, Member]:
        if not member_ids:
            return {}
        rows = self.conn.execute(self._select().where(t.members.c.id.in_(member_ids))).all()
        return {r.id: self._from_row(r) for r in rows}

    def digest(self, number: str) -> str:
        return self.key.digest(ID_CARD, number)

    def by_id_card(self, number: str) -> Member | None:
        row = self.conn.execute(self._select().where(t.members.c.id_card_digest == self.digest(number))).first()
        return self._from_row(row) if row else None

    def active_elsewhere(self, numbers: list[str]) -> set[str]:
        """Which of these ID numbers belong to an active member of another county (never which)."""
        by_digest = {self.digest(n): n for n in numbers}
        found: set[str] = set()
        digests = sorted(by_digest)
        r = t.person_registry
        for i in range(0, len(digests), CHUNK):
            found.update(by_digest[d] for d in self.conn.execute(select(r.c.id_card_digest).where(
                r.c.id_card_digest.in_(digests[i:i + CHUNK]), r.c.county != self.tenant)).scalars())
        return found

    def _register(self, members: list[Member]) -> None:
        """Active members enter the registry; a digest held by another county is a unique
        violation, which the unit of work answers as MEMBER_ACTIVE_ELSEWHERE."""
        rows = [dict(id_card_digest=self.digest(m.id_card_number), county=self.tenant, member_id=m.id)
                for m in members if m.state is MemberState.ACTIVE]
        if rows:
            self.conn.execute(insert(t.person_registry), rows)

    def _unregister(self, member_id: str) -> None:
        r = t.person_registry
        self.conn.execute(delete(r).where(r.c.county == self.tenant, r.c.member_id == member_id))

    def _row(self, m: Member) -> dict:
        key = self.key
        return dict(
            id=m.id, tenant=m.tenant, unit_id=m.unit_id, display_name=m.display_name, gender=m.gender,
            id_card_sealed=key.seal(ID_CARD, m.id_card_number), id_card_digest=self.digest(m.id_card_number),
            phone_sealed=key.seal(PHONE, m.phone), status=m.status.value, category=m.category.value,
            joined_on=m.joined_on, education=m.education, birth_date_sealed=key.seal(BIRTH_DATE, m.birth_date),
            state=m.state.value, version=m.version, created_at=m.created_at, updated_at=m.updated_at,
        )

    def add(self, member: Member) -> None:
        self.add_many([member])

    def add_many(self, members: list[Member]) -> None:
        now = utcnow()
        for m in members:
            m.created_at = m.updated_at = now
        if members:
            self.conn.execute(insert(t.members), [self._row(m) for m in members])
            self._register(members)
            self.counts.shift(Counter(m.unit_id for m in members if m.state is MemberState.ACTIVE))
            self._stored.update((m.id, (m.unit_id, m.state is MemberState.ACTIVE)) for m in members)

    def update(self, m: Member) -> bool:
        now = utcnow()
        stored = self._stored.get(m.id) or self._as_stored(m.id)
        row = self._row(m)
        for key in ("id", "tenant", "created_at", "version"):
            row.pop(key)
        row.update(version=m.version + 1, updated_at=now)
        result = self.conn.execute(
            update(t.members).where(t.members.c.tenant == self.tenant, t.members.c.id == m.id,
                                    t.members.c.version == m.version).values(**row)
        )
        if result.rowcount:
            m.version += 1
            m.updated_at = now
            # The ID number may have changed, or the member left the county.
            self._unregister(m.id)
            self._register([m])
            self._shift_counts(stored, m)
        return bool(result.rowcount)

    def _as_stored(self, member_id: str) -> tuple[str, bool] | None:
        """A member's unit and whether it counts, read from its row (one not loaded here)."""
        row = self.conn.execute(select(t.members.c.unit_id, t.members.c.state).where(
            t.members.c.tenant == self.tenant, t.members.c.id == member_id)).first()
        return (row.unit_id, row.state == _ACTIVE) if row else None

    def _shift_counts(self, before: tuple[str, bool], m: Member) -> None:
        """The member moved or stopped counting: its old unit loses it, its new one gains it.
        (`before` is as loaded: the update's version check proves the row had not changed since.)"""
        after = (m.unit_id, m.state is MemberState.ACTIVE)
        if before != after:
            deltas: Counter[str] = Counter()
            deltas[before[0]] -= before[1]
            deltas[after[0]] += after[1]
            self.counts.shift(deltas)
        self._stored[m.id] = after

    def move_all(self, from_unit: str, to_unit: str) -> list[str]:
        """Re-point every active member of one unit to another; returns their ids."""
        ids = list(self.conn.execute(select(t.members.c.id).where(
            t.members.c.tenant == self.tenant, t.members.c.unit_id == from_unit,
            t.members.c.state == MemberState.ACTIVE.value)).scalars())
        if ids:
            self.conn.execute(update(t.members).where(t.members.c.tenant == self.tenant, t.members.c.id.in_(ids))
                              .values(unit_id=to_unit, version=t.members.c.version + 1, updated_at=utcnow()))
            self.counts.shift(Counter({from_unit: -len(ids), to_unit: len(ids)}))
            self._stored.update((member_id, (to_unit, True)) for member_id in ids)
        return ids

    def add_history(self, entry: HistoryEntry, from_unit: str = "", to_unit: str = "") -> None:
        self.conn.execute(insert(t.member_history).values(
            tenant=self.tenant, member_id=entry.subject_id, kind=entry.kind, at=entry.at, actor=entry.actor,
            from_unit=from_unit, to_unit=to_unit, detail=entry.detail,
        ))

    def add_history_many(self, entries: list[tuple[HistoryEntry, str, str]]) -> None:
        """(entry, from unit name, to unit name) rows in one statement (bulk import)."""
        if entries:
            self.conn.execute(insert(t.member_history), [dict(
                tenant=self.tenant, member_id=e.subject_id, kind=e.kind, at=e.at, actor=e.actor,
                from_unit=from_unit, to_unit=to_unit, detail=e.detail) for e, from_unit, to_unit in entries])

    def existing_id_cards(self, numbers: list[str]) -> set[str]:
        """Which of these ID numbers are already recorded in the tenant."""
        by_digest = {self.digest(n): n for n in numbers}
        digests = sorted(by_digest)
        found: set[str] = set()
        for i in range(0, len(digests), CHUNK):
            found.update(by_digest[d] for d in self.conn.execute(select(t.members.c.id_card_digest).where(
                t.members.c.tenant == self.tenant, t.members.c.id_card_digest.in_(digests[i:i + CHUNK]))).scalars())
        return found

    def history(self, member_id: str, after: int | None, limit: int) -> list[tuple[int, HistoryEntry, str, str]]:
        """(row id, entry, from unit name, to unit name), oldest first."""
        h = t.member_history
        query = select(h).where(h.c.tenant == self.tenant, h.c.member_id == member_id).order_by(h.c.id).limit(limit)
        if after is not None:
            query = query.where(h.c.id > after)
        return [(r.id, HistoryEntry(r.member_id, r.kind, as_utc(r.at), r.actor, r.detail), r.from_unit, r.to_unit)
                for r in self.conn.execute(query).all()]
