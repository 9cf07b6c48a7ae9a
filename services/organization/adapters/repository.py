"""Repositories: every query names its tenant here; row-level security is the second wall."""

from __future__ import annotations

import json
from dataclasses import asdict

from sqlalchemy import (
    Connection,
    String,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)

from services.common.clock import as_utc, utcnow
from services.common.db import HotQuery
from services.common.sealing import DataKey
from services.organization.adapters import tables as t
from services.organization.domain.model import (
    Alliance,
    HistoryEntry,
    Member,
    MemberCategory,
    MemberState,
    MemberStatus,
    Pairing,
    Post,
    PostType,
    Tenant,
    TenantSettings,
    Unit,
    UnitState,
    UnitType,
)

ALL = "*"
_CHUNK = 5000  # ids per IN list: well under SQLite's and PostgreSQL's parameter limits


def _like_prefix(path: str) -> str:
    # Paths hold only id characters and '/', so no LIKE wildcard needs escaping.
    return path + "%"


class TenantRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    @staticmethod
    def _from_row(row) -> Tenant:
        return Tenant(
            code=row.code, display_name=row.display_name, city_code=row.city_code,
            city_display_name=row.city_display_name,
            settings=TenantSettings(**json.loads(row.settings)), version=row.version,
            created_at=as_utc(row.created_at), updated_at=as_utc(row.updated_at),
        )

    def get(self, code: str) -> Tenant | None:
        row = self.conn.execute(select(t.tenants).where(t.tenants.c.code == code)).first()
        return self._from_row(row) if row else None

    def codes(self) -> list[str]:
        return list(self.conn.execute(select(t.tenants.c.code)).scalars())

    def add(self, tenant: Tenant) -> None:
        now = utcnow()
        tenant.created_at = tenant.updated_at = now
        self.conn.execute(insert(t.tenants).values(
            code=tenant.code, display_name=tenant.display_name, city_code=tenant.city_code,
            city_display_name=tenant.city_display_name, settings=json.dumps(asdict(tenant.settings)),
            version=1, created_at=now, updated_at=now,
        ))

    def update(self, tenant: Tenant) -> bool:
        """Write `tenant` if its version is still current; False on a lost race."""
        now = utcnow()
        result = self.conn.execute(
            update(t.tenants)
            .where(t.tenants.c.code == tenant.code, t.tenants.c.version == tenant.version)
            .values(display_name=tenant.display_name, city_display_name=tenant.city_display_name,
                    settings=json.dumps(asdict(tenant.settings)), version=tenant.version + 1, updated_at=now)
        )
        if result.rowcount:
            tenant.version += 1
            tenant.updated_at = now
        return bool(result.rowcount)

    def list(self, *, codes: frozenset[str] | None, city_codes: frozenset[str] | None,
             after: str | None, limit: int) -> list[Tenant]:
        query = select(t.tenants).order_by(t.tenants.c.code).limit(limit)
        if codes is not None:
            query = query.where(t.tenants.c.code.in_(codes))
        if city_codes is not None:
            query = query.where(t.tenants.c.city_code.in_(city_codes))
        if after:
            query = query.where(t.tenants.c.code > after)
        return [self._from_row(r) for r in self.conn.execute(query).all()]


_member_count = (
    select(func.count())
    .where(t.members.c.tenant == t.units.c.tenant, t.members.c.unit_id == t.units.c.id,
           t.members.c.state == MemberState.ACTIVE.value)
    .correlate(t.units)
    .scalar_subquery()
    .label("member_count")
)


_UNIT_TYPES = {m.value: m for m in UnitType}  # a dict lookup is several times cheaper than UnitType(value)
_UNIT_STATES = {m.value: m for m in UnitState}

# Built once: the hottest reads skip rebuilding and re-keying the statement on every call.
_GET_UNIT = HotQuery(
    select(t.units, _member_count).where(t.units.c.tenant == bindparam("tenant"), t.units.c.id == bindparam("id")))
_LOCK_UNIT = select(t.units).where(t.units.c.tenant == bindparam("tenant"), t.units.c.id == bindparam("id")).with_for_update()


class UnitRepository:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    @staticmethod
    def _from_row(row) -> Unit:
        # Positional unpacking: listing a county walks thousands of rows, and named access on
        # a Row costs several times more. Order = the units table, then the optional count.
        (uid, tenant, type_, display_name, parent_id, path, depth, state, division_code, weak_and_lax,
         demonstration_site, star_level, merged_into, version, created_at, updated_at, *count) = row
        return Unit(
            uid, tenant, _UNIT_TYPES[type_], display_name, parent_id, path, depth, _UNIT_STATES[state], division_code,
            weak_and_lax, demonstration_site, star_level, merged_into, version, as_utc(created_at),
            as_utc(updated_at), count[0] if count else 0,
        )

    def _select(self):
        return select(t.units, _member_count).where(t.units.c.tenant == self.tenant)

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
                    parent_id=unit.parent_id, version=unit.version + 1, updated_at=now)
        )
        if result.rowcount:
            unit.version += 1
            unit.updated_at = now
        return bool(result.rowcount)

    def move_subtree(self, unit: Unit, new_path: str, new_depth: int) -> None:
        """Rewrite the materialized path of `unit` and everything below it."""
        old_path, shift = unit.path, new_depth - unit.depth
        self.conn.execute(
            update(t.units)
            .where(t.units.c.tenant == self.tenant, t.units.c.path.like(_like_prefix(old_path)))
            .values(path=literal(new_path, String).concat(func.substr(t.units.c.path, len(old_path) + 1)),
                    depth=t.units.c.depth + shift)
        )
        unit.path, unit.depth = new_path, new_depth

    def count_children(self, parent_id: str, types: frozenset[UnitType]) -> int:
        return self.conn.execute(
            select(func.count()).select_from(t.units).where(
                t.units.c.tenant == self.tenant, t.units.c.parent_id == parent_id,
                t.units.c.type.in_([x.value for x in types]), t.units.c.state == UnitState.ACTIVE.value,
            )
        ).scalar_one()

    def children(self, parent_id: str) -> list[Unit]:
        rows = self.conn.execute(self._select().where(
            t.units.c.parent_id == parent_id, t.units.c.state == UnitState.ACTIVE.value))
        return [self._from_row(r) for r in rows]

    def ancestors(self, unit: Unit) -> list[Unit]:
        """From the top (township) down to and including `unit`."""
        ids = [p for p in unit.path.strip("/").split("/") if p]
        found = self.get_many(ids)
        return [found[i] for i in ids if i in found]

    def list(self, *, types: list[UnitType], under: Unit | None, show_inactive: bool,
             after: tuple[str, str] | None, limit: int) -> list[Unit]:
        """Keyset page ordered by path (a depth-first walk of the tree)."""
        query = self._select().order_by(t.units.c.path).limit(limit)
        if types:
            query = query.where(t.units.c.type.in_([x.value for x in types]))
        if under is not None:
            query = query.where(t.units.c.path.like(_like_prefix(under.path)), t.units.c.id != under.id)
        if not show_inactive:
            query = query.where(t.units.c.state == UnitState.ACTIVE.value)
        if after:
            query = query.where(t.units.c.path > after[0])
        return [self._from_row(r) for r in self.conn.execute(query).all()]

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
        return [(self._from_row(r), r.covered) for r in rows]

    def has_active_members_in_subtree(self, unit: Unit) -> int:
        return self.conn.execute(
            select(func.count()).select_from(t.members).where(
                t.members.c.tenant == self.tenant, t.members.c.state == MemberState.ACTIVE.value,
                t.members.c.unit_id.in_(self._subtree_ids(unit)),
            )
        ).scalar_one()

    def has_active_children(self, unit: Unit) -> bool:
        return self.count_children(unit.id, frozenset(UnitType)) > 0

    def _subtree_ids(self, unit: Unit):
        return select(t.units.c.id).where(t.units.c.tenant == self.tenant, t.units.c.path.like(_like_prefix(unit.path)))

    def reparent_children(self, source: Unit, target: Unit) -> list[Unit]:
        """Move every active child of `source` under `target` (used by merges)."""
        moved = self.children(source.id)
        for child in moved:
            self.conn.execute(update(t.units).where(t.units.c.tenant == self.tenant, t.units.c.id == child.id)
                              .values(parent_id=target.id))
            self.move_subtree(child, target.path + child.id + "/", target.depth + 1)
        return moved

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


_post_holder = exists().where(
    t.posts.c.tenant == t.members.c.tenant, t.posts.c.member_id == t.members.c.id, t.posts.c.end_date == ""
).correlate(t.members)


ID_CARD, PHONE, BIRTH_DATE = "id_card_number", "phone", "birth_date"  # sealing fields


class MemberRepository:
    """Members, their personal data sealed at rest with the deployment's data key, and their
    entry in the platform-wide person registry (one active county per ID number)."""

    def __init__(self, conn: Connection, tenant: str, key: DataKey | None):
        self.conn, self.tenant, self._key = conn, tenant, key

    @property
    def key(self) -> DataKey:
        if self._key is None:
            raise RuntimeError("this unit of work was built without a data key (PB_DATA_KEY)")
        return self._key

    def _from_row(self, row) -> Member:
        key = self.key
        return Member(
            id=row.id, tenant=row.tenant, unit_id=row.unit_id, display_name=row.display_name,
            gender=row.gender, id_card_number=key.open(ID_CARD, row.id_card_sealed),
            phone=key.open(PHONE, row.phone_sealed),
            status=MemberStatus(row.status), category=MemberCategory(row.category), joined_on=row.joined_on,
            education=row.education, birth_date=key.open(BIRTH_DATE, row.birth_date_sealed),
            state=MemberState(row.state),
            version=row.version, created_at=as_utc(row.created_at), updated_at=as_utc(row.updated_at),
            post_holder=bool(getattr(row, "post_holder", False)),
        )

    def _select(self):
        return select(t.members, _post_holder.label("post_holder")).where(t.members.c.tenant == self.tenant)

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
        for i in range(0, len(digests), _CHUNK):
            found.update(by_digest[d] for d in self.conn.execute(select(r.c.id_card_digest).where(
                r.c.id_card_digest.in_(digests[i:i + _CHUNK]), r.c.county != self.tenant)).scalars())
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

    def update(self, m: Member) -> bool:
        now = utcnow()
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
        return bool(result.rowcount)

    def move_all(self, from_unit: str, to_unit: str) -> list[str]:
        """Re-point every active member of one unit to another; returns their ids."""
        ids = list(self.conn.execute(select(t.members.c.id).where(
            t.members.c.tenant == self.tenant, t.members.c.unit_id == from_unit,
            t.members.c.state == MemberState.ACTIVE.value)).scalars())
        if ids:
            self.conn.execute(update(t.members).where(t.members.c.tenant == self.tenant, t.members.c.id.in_(ids))
                              .values(unit_id=to_unit, version=t.members.c.version + 1, updated_at=utcnow()))
        return ids

    def list(self, *, under: Unit | None, status: MemberStatus | None, category: MemberCategory | None,
             post_holder: bool | None, show_transferred: bool, after: str | None, limit: int) -> list[Member]:
        query = self._select().order_by(t.members.c.id).limit(limit)
        if under is not None:
            subtree = select(t.units.c.id).where(t.units.c.tenant == self.tenant,
                                                 t.units.c.path.like(_like_prefix(under.path)))
            query = query.where(t.members.c.unit_id.in_(subtree))
        if status is not None:
            query = query.where(t.members.c.status == status.value)
        if category is not None:
            query = query.where(t.members.c.category == category.value)
        if post_holder is True:
            query = query.where(_post_holder)
        elif post_holder is False:
            query = query.where(~_post_holder)
        if not show_transferred:
            query = query.where(t.members.c.state == MemberState.ACTIVE.value)
        if after:
            query = query.where(t.members.c.id > after)
        return [self._from_row(r) for r in self.conn.execute(query).all()]

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
        for i in range(0, len(digests), _CHUNK):
            found.update(by_digest[d] for d in self.conn.execute(select(t.members.c.id_card_digest).where(
                t.members.c.tenant == self.tenant, t.members.c.id_card_digest.in_(digests[i:i + _CHUNK]))).scalars())
        return found

    def history(self, member_id: str, after: int | None, limit: int) -> list[tuple[int, HistoryEntry, str, str]]:
        """(row id, entry, from unit name, to unit name), oldest first."""
        h = t.member_history
        query = select(h).where(h.c.tenant == self.tenant, h.c.member_id == member_id).order_by(h.c.id).limit(limit)
        if after is not None:
            query = query.where(h.c.id > after)
        return [(r.id, HistoryEntry(r.member_id, r.kind, as_utc(r.at), r.actor, r.detail), r.from_unit, r.to_unit)
                for r in self.conn.execute(query).all()]


class PostRepository:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    @staticmethod
    def _from_row(row) -> Post:
        return Post(
            id=row.id, tenant=row.tenant, type=PostType(row.type), unit_id=row.unit_id, member_id=row.member_id,
            start_date=row.start_date, term_end_date=row.term_end_date, end_date=row.end_date,
            end_reason=row.end_reason, dispatching_organ=row.dispatching_organ,
            origin_unit_id=row.origin_unit_id, created_at=as_utc(row.created_at),
            member_display_name=getattr(row, "member_display_name", "") or "",
        )

    def _select(self):
        return (
            select(t.posts, t.members.c.display_name.label("member_display_name"))
            .join(t.members, and_(t.members.c.id == t.posts.c.member_id, t.members.c.tenant == t.posts.c.tenant))
            .where(t.posts.c.tenant == self.tenant)
        )

    def get(self, post_id: str) -> Post | None:
        row = self.conn.execute(self._select().where(t.posts.c.id == post_id)).first()
        return self._from_row(row) if row else None

    def add(self, post: Post) -> None:
        self.add_many([post])

    def add_many(self, posts: list[Post]) -> None:
        now = utcnow()
        for p in posts:
            p.created_at = now
        if posts:
            self.conn.execute(insert(t.posts), [dict(
                id=p.id, tenant=p.tenant, type=p.type.value, unit_id=p.unit_id, member_id=p.member_id,
                start_date=p.start_date, term_end_date=p.term_end_date, end_date=p.end_date,
                end_reason=p.end_reason, dispatching_organ=p.dispatching_organ, origin_unit_id=p.origin_unit_id,
                created_at=p.created_at,
            ) for p in posts])

    def end(self, post: Post) -> None:
        self.conn.execute(update(t.posts).where(t.posts.c.tenant == self.tenant, t.posts.c.id == post.id)
                          .values(end_date=post.end_date, end_reason=post.end_reason))

    def current_count(self, unit_id: str, post_type: PostType) -> int:
        return self.conn.execute(select(func.count()).select_from(t.posts).where(
            t.posts.c.tenant == self.tenant, t.posts.c.unit_id == unit_id,
            t.posts.c.type == post_type.value, t.posts.c.end_date == "")).scalar_one()

    def current_in_unit(self, unit_id: str) -> list[Post]:
        rows = self.conn.execute(self._select().where(t.posts.c.unit_id == unit_id, t.posts.c.end_date == "")
                                 .order_by(t.posts.c.id))
        return [self._from_row(r) for r in rows]

    def current_for_member(self, member_id: str) -> list[Post]:
        rows = self.conn.execute(self._select().where(t.posts.c.member_id == member_id, t.posts.c.end_date == ""))
        return [self._from_row(r) for r in rows]

    def list(self, *, unit_id: str | None, member_id: str | None, include_history: bool,
             after: str | None, limit: int) -> list[Post]:
        query = self._select().order_by(t.posts.c.id).limit(limit)
        if unit_id:
            query = query.where(t.posts.c.unit_id == unit_id)
        if member_id:
            query = query.where(t.posts.c.member_id == member_id)
        if not include_history:
            query = query.where(t.posts.c.end_date == "")
        if after:
            query = query.where(t.posts.c.id > after)
        return [self._from_row(r) for r in self.conn.execute(query).all()]

    def current_counts(self, unit_ids: list[str]) -> dict[tuple[str, PostType], int]:
        """Current posts per (unit, type) for these units (bulk import checks the maxima)."""
        counts: dict[tuple[str, PostType], int] = {}
        for i in range(0, len(unit_ids), _CHUNK):
            rows = self.conn.execute(
                select(t.posts.c.unit_id, t.posts.c.type, func.count()).where(
                    t.posts.c.tenant == self.tenant, t.posts.c.unit_id.in_(unit_ids[i:i + _CHUNK]),
                    t.posts.c.end_date == "").group_by(t.posts.c.unit_id, t.posts.c.type))
            for unit_id, post_type, n in rows:
                counts[(unit_id, PostType(post_type))] = n
        return counts

    def current_types_by_member_unit(self, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], set[PostType]]:
        """Which post types each (member, unit) currently holds: to mark 一肩挑."""
        if not pairs:
            return {}
        members = {m for m, _ in pairs}
        rows = self.conn.execute(select(t.posts.c.member_id, t.posts.c.unit_id, t.posts.c.type).where(
            t.posts.c.tenant == self.tenant, t.posts.c.member_id.in_(members), t.posts.c.end_date == ""))
        held: dict[tuple[str, str], set[PostType]] = {}
        for r in rows:
            held.setdefault((r.member_id, r.unit_id), set()).add(PostType(r.type))
        return held

    def move_unit(self, from_unit: str, to_unit: str) -> int:
        """A merge moves the posts and their history; origin_unit_id keeps where they were held."""
        result = self.conn.execute(
            update(t.posts).where(t.posts.c.tenant == self.tenant, t.posts.c.unit_id == from_unit)
            .values(unit_id=to_unit, origin_unit_id=func.coalesce(t.posts.c.origin_unit_id, from_unit))
        )
        return result.rowcount

    def expiring(self, on_or_before: str) -> list[Post]:
        """Current posts whose term ends by the given date and was not yet announced."""
        rows = self.conn.execute(self._select().where(
            t.posts.c.end_date == "", t.posts.c.term_end_date != "",
            t.posts.c.term_end_date <= on_or_before, t.posts.c.expiry_announced.is_(False)))
        return [self._from_row(r) for r in rows]

    def mark_expiry_announced(self, post_ids: list[str]) -> None:
        if post_ids:
            self.conn.execute(update(t.posts).where(t.posts.c.tenant == self.tenant, t.posts.c.id.in_(post_ids))
                              .values(expiry_announced=True))


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
