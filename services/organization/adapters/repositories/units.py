"""The unit aggregate: the units table (a materialized-path tree) and the units' history."""

from __future__ import annotations

from sqlalchemy import Connection, String, bindparam, func, insert, literal, select, update

from services.common.clock import as_utc, utcnow
from services.common.db import HotQuery
from services.organization.adapters import tables as t
from services.organization.adapters.repositories._sql import like_prefix
from services.organization.domain.model import HistoryEntry, Unit, UnitState, UnitType

UNIT_TYPES = {m.value: m for m in UnitType}  # a dict lookup is several times cheaper than UnitType(value)
UNIT_STATES = {m.value: m for m in UnitState}

# Built once: the hottest reads skip rebuilding and re-keying the statement on every call.
_GET_UNIT = HotQuery(select(t.units).where(t.units.c.tenant == bindparam("tenant"), t.units.c.id == bindparam("id")))
_LOCK_UNIT = select(t.units).where(t.units.c.tenant == bindparam("tenant"), t.units.c.id == bindparam("id")).with_for_update()


class UnitRepository:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    @staticmethod
    def _from_row(row) -> Unit:
        # Positional unpacking (order = the units table): named access on a Row costs more.
        (uid, tenant, type_, display_name, parent_id, path, depth, state, division_code, weak_and_lax,
         demonstration_site, star_level, merged_into, version, created_at, updated_at, _member_count) = row
        return Unit(
            uid, tenant, UNIT_TYPES[type_], display_name, parent_id, path, depth, UNIT_STATES[state], division_code,
            weak_and_lax, demonstration_site, star_level, merged_into, version, as_utc(created_at), as_utc(updated_at),
        )

    def _select(self):
        return select(t.units).where(t.units.c.tenant == self.tenant)

    def get(self, unit_id: str, *, lock: bool = False) -> Unit | None:
        params = {"tenant": self.tenant, "id": unit_id}
        row = self.conn.execute(_LOCK_UNIT, params).first() if lock else _GET_UNIT.first(self.conn, params)
        return self._from_row(row) if row else None

    def get_many(self, unit_ids: list[str]) -> dict[str, Unit]:
        if not unit_ids:
            return {}
        rows = self.conn.execute(self._select().where(t.units.c.id.in_(unit_ids))).all()
        return {r.id: self._from_row(r) for r in rows}

    def add(self, unit: Unit) -> None:
        now = utcnow()
        unit.created_at = unit.updated_at = now
        self.conn.execute(insert(t.units).values(self._row(unit)))

    def add_many(self, units: list[Unit]) -> None:
        now = utcnow()
        for unit in units:
            unit.created_at = unit.updated_at = now
        if units:
            self.conn.execute(insert(t.units), [self._row(u) for u in units])

    @staticmethod
    def _row(unit: Unit) -> dict:
        return dict(
            id=unit.id, tenant=unit.tenant, type=unit.type.value, display_name=unit.display_name,
            parent_id=unit.parent_id, path=unit.path, depth=unit.depth, state=unit.state.value,
            division_code=unit.division_code, weak_and_lax=unit.weak_and_lax,
            demonstration_site=unit.demonstration_site, star_level=unit.star_level,
            merged_into=unit.merged_into, version=unit.version,
            created_at=unit.created_at, updated_at=unit.updated_at,
        )

    def update(self, unit: Unit) -> bool:
        """Write attribute changes if `unit.version` is still current (optimistic concurrency)."""
        now = utcnow()
        result = self.conn.execute(
            update(t.units)
            .where(t.units.c.tenant == self.tenant, t.units.c.id == unit.id, t.units.c.version == unit.version)
            .values(display_name=unit.display_name, division_code=unit.division_code,
                    weak_and_lax=unit.weak_and_lax, demonstration_site=unit.demonstration_site,
                    star_level=unit.star_level, state=unit.state.value, merged_into=unit.merged_into,
                    parent_id=unit.parent_id, path=unit.path, depth=unit.depth, version=unit.version + 1,
                    updated_at=now)
        )
        if result.rowcount:
            unit.version += 1
            unit.updated_at = now
        return bool(result.rowcount)

    def move_subtree(self, unit: Unit, old_path: str, old_depth: int) -> list[Unit]:
        """Rewrite the materialized path of everything below `unit`, which `update` already wrote
        at its new place, each row's version bumped (its path changed); returns them as they are now."""
        self.conn.execute(
            update(t.units)
            .where(t.units.c.tenant == self.tenant, t.units.c.path.like(like_prefix(old_path)), t.units.c.id != unit.id)
            .values(path=literal(unit.path, String).concat(func.substr(t.units.c.path, len(old_path) + 1)),
                    depth=t.units.c.depth + (unit.depth - old_depth), version=t.units.c.version + 1,
                    updated_at=utcnow())
        )
        rows = self.conn.execute(self._select().where(t.units.c.path.like(like_prefix(unit.path)),
                                                      t.units.c.id != unit.id).order_by(t.units.c.path))
        return [self._from_row(r) for r in rows]

    def count_children(self, parent_id: str, types: frozenset[UnitType]) -> int:
        return self.conn.execute(
            select(func.count()).select_from(t.units).where(
                t.units.c.tenant == self.tenant, t.units.c.parent_id == parent_id,
                t.units.c.type.in_([x.value for x in types]), t.units.c.state == UnitState.ACTIVE.value,
            )
        ).scalar_one()

    def holding_division_code(self, code: str, types: frozenset[UnitType]) -> Unit | None:
        """An active unit of one of `types` that already carries this division code."""
        row = self.conn.execute(self._select().where(
            t.units.c.division_code == code, t.units.c.type.in_([x.value for x in types]),
            t.units.c.state == UnitState.ACTIVE.value).limit(1)).first()
        return self._from_row(row) if row else None

    def children(self, parent_id: str) -> list[Unit]:
        rows = self.conn.execute(self._select().where(
            t.units.c.parent_id == parent_id, t.units.c.state == UnitState.ACTIVE.value))
        return [self._from_row(r) for r in rows]

    def stations_with_coverage(self, covered_types: frozenset[UnitType]) -> list[tuple[Unit, int]]:
        child = t.units.alias("child")
        covered = (
            select(func.count())
            .where(child.c.tenant == t.units.c.tenant, child.c.parent_id == t.units.c.id,
                   child.c.type.in_([x.value for x in covered_types]), child.c.state == UnitState.ACTIVE.value)
            .correlate(t.units).scalar_subquery().label("covered")
        )
        rows = self.conn.execute(
            select(t.units, covered).where(
                t.units.c.tenant == self.tenant, t.units.c.type == UnitType.WORK_STATION.value,
                t.units.c.state == UnitState.ACTIVE.value,
            ).order_by(t.units.c.path)
        )
        return [(self._from_row(r[:-1]), r.covered) for r in rows]

    def has_active_children(self, unit: Unit) -> bool:
        return self.count_children(unit.id, frozenset(UnitType)) > 0

    def reparent_children(self, source: Unit, target: Unit) -> tuple[list[Unit], list[Unit]]:
        """Move every active child of `source` under `target` (used by merges): the children, and
        every unit whose row changed (the children and their subtrees), as they are now."""
        children, changed = self.children(source.id), []
        for child in children:
            old_path, old_depth = child.path, child.depth
            child.parent_id, child.path, child.depth = target.id, target.path + child.id + "/", target.depth + 1
            self.update(child)
            changed += [child, *self.move_subtree(child, old_path, old_depth)]
        return children, changed

    def add_history(self, entry: HistoryEntry) -> None:
        self.conn.execute(insert(t.unit_history).values(
            tenant=self.tenant, unit_id=entry.subject_id, kind=entry.kind, at=entry.at, actor=entry.actor,
            detail=entry.detail, related_unit_id=entry.related,
        ))

    def add_history_many(self, entries: list[HistoryEntry]) -> None:
        if entries:
            self.conn.execute(insert(t.unit_history), [dict(
                tenant=self.tenant, unit_id=e.subject_id, kind=e.kind, at=e.at, actor=e.actor, detail=e.detail,
                related_unit_id=e.related) for e in entries])

    def history(self, unit_id: str, after: int | None, limit: int) -> list[tuple[int, HistoryEntry]]:
        h = t.unit_history
        query = select(h).where(h.c.tenant == self.tenant, h.c.unit_id == unit_id).order_by(h.c.id).limit(limit)
        if after is not None:
            query = query.where(h.c.id > after)
        return [
            (r.id, HistoryEntry(r.unit_id, r.kind, as_utc(r.at), r.actor, r.detail, r.related_unit_id))
            for r in self.conn.execute(query).all()
        ]
