"""The read side: what a Get or List answers, as views built straight from rows.

A view carries what its answer shows beyond its aggregate's own columns (whether a member holds
a post, a post holder's name, 一肩挑; a unit's member count is a column its members' writes keep).
Joins across aggregates are made here, one grouped query per page, never a correlated subquery
per row; every RPC that
answers a unit, member or post builds its answer here, so a write answers what a Get would.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ARRAY, Connection, String, and_, any_, bindparam, exists, func, select

from services.common.clock import as_utc
from services.common.db import HotQuery
from services.common.sealing import DataKey
from services.organization.adapters import tables as t
from services.organization.adapters.repositories._sql import CHUNK, like_prefix
from services.organization.adapters.repositories.members import BIRTH_DATE, ID_CARD, PHONE
from services.organization.adapters.repositories.units import UNIT_STATES, UNIT_TYPES
from services.organization.domain import rules
from services.organization.domain.model import (
    MemberCategory,
    MemberState,
    MemberStatus,
    PostType,
    Unit,
    UnitState,
    UnitType,
)


@dataclass(slots=True)
class UnitView:
    id: str
    tenant: str
    type: UnitType
    display_name: str
    parent_id: str | None
    path: str
    depth: int
    state: UnitState
    division_code: str
    weak_and_lax: bool
    demonstration_site: bool
    star_level: int
    merged_into: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    member_count: int


@dataclass(slots=True)
class MemberView:
    """Personal data in the clear: the mapping masks it for callers who may not see it."""

    id: str
    tenant: str
    unit_id: str
    display_name: str
    gender: str
    id_card_number: str
    phone: str
    status: MemberStatus
    category: MemberCategory
    joined_on: dt.date | None
    education: str
    birth_date: str
    state: MemberState
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    post_holder: bool


@dataclass(slots=True)
class PostView:
    id: str
    tenant: str
    type: PostType
    unit_id: str
    member_id: str
    start_date: dt.date
    term_end_date: dt.date | None
    end_date: dt.date | None
    end_reason: str
    dispatching_organ: str
    created_at: dt.datetime
    member_display_name: str
    concurrent_secretary_director: bool
    version: int

    @property
    def current(self) -> bool:
        return self.end_date is None


_ACTIVE_MEMBER = MemberState.ACTIVE.value
_MEMBER_STATUSES = {m.value: m for m in MemberStatus}
_MEMBER_CATEGORIES = {m.value: m for m in MemberCategory}
_MEMBER_STATES = {m.value: m for m in MemberState}
_POST_TYPES = {m.value: m for m in PostType}
_CONCURRENT_TYPES = (PostType.SECRETARY, PostType.VILLAGE_DIRECTOR)

_m, _p, _u = t.members, t.posts, t.units
_holds_post = exists().where(_p.c.tenant == _m.c.tenant, _p.c.member_id == _m.c.id, _p.c.end_date.is_(None)).correlate(_m)
_POST_COLUMNS = (_p.c.id, _p.c.tenant, _p.c.type, _p.c.unit_id, _p.c.member_id, _p.c.start_date, _p.c.term_end_date,
                 _p.c.end_date, _p.c.end_reason, _p.c.dispatching_organ, _p.c.created_at, _m.c.display_name,
                 _p.c.version)


def _one_of(column, name: str, dialect: str):
    """`column` is one of the list parameter `name`. PostgreSQL binds the list as one array
    (`= ANY`), so the statement is one text, compiled once, whatever the list holds."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(String)))
    return column.in_(bindparam(name, expanding=True))


def _per_dialect(build, key) -> dict[str, HotQuery]:
    """`build(match)` where match says `key` is one of :ids, for each dialect."""
    return {dialect: HotQuery(build(_one_of(key, "ids", dialect))) for dialect in ("postgresql", "sqlite")}


_UNIT_PAGES: dict[tuple, HotQuery] = {}


def _unit_page(dialect: str, types: bool, under: bool, show_inactive: bool, after: bool) -> HotQuery:
    """The ListUnits statement of one shape of filters, built and compiled once."""
    key = (dialect, types, under, show_inactive, after)
    query = _UNIT_PAGES.get(key)
    if query is None:
        statement = select(_u).where(_u.c.tenant == bindparam("tenant")).order_by(_u.c.path).limit(bindparam("limit"))
        if types:
            statement = statement.where(_one_of(_u.c.type, "types", dialect))
        if under:
            statement = statement.where(_u.c.path.like(bindparam("prefix")), _u.c.id != bindparam("under"))
        if not show_inactive:
            statement = statement.where(_u.c.state == UnitState.ACTIVE.value)
        if after:
            statement = statement.where(_u.c.path > bindparam("after"))
        query = _UNIT_PAGES[key] = HotQuery(statement)
    return query


# GetUnit, the hottest read: one row, its member count a column of it, compiled once.
_UNIT = HotQuery(select(_u).where(_u.c.tenant == bindparam("tenant"), _u.c.id == bindparam("id")))
_MEMBER = HotQuery(select(_m).where(_m.c.tenant == bindparam("tenant"), _m.c.id == bindparam("id")))
_UNITS_BY_ID = _per_dialect(lambda match: select(_u).where(_u.c.tenant == bindparam("tenant"), match), _u.c.id)
# The current posts of a page's members: whether each holds one, and 一肩挑.
_CURRENT_POSTS = _per_dialect(lambda match: select(_p.c.member_id, _p.c.unit_id, _p.c.type).where(
    _p.c.tenant == bindparam("tenant"), match, _p.c.end_date.is_(None)), _p.c.member_id)


def _unit_view(uid, tenant, type_, name, parent_id, path, depth, state, division, weak, demo, stars, merged_into,
               version, created, updated, member_count) -> UnitView:
    """A units row, in the table's column order (positional, as named access on a Row costs
    several times more); its member count is the column that writes of members keep."""
    return UnitView(uid, tenant, UNIT_TYPES[type_], name, parent_id, path, depth, UNIT_STATES[state], division,
                    weak, demo, stars, merged_into, version, as_utc(created), as_utc(updated), member_count)


def _chunks(ids: list[str]):
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


class OrgQueries:
    def __init__(self, conn: Connection, tenant: str, key: DataKey | None):
        self.conn, self.tenant, self._key = conn, tenant, key

    # ------------------------------------------------------------ units

    @staticmethod
    def _unit_views(rows) -> list[UnitView]:
        return [_unit_view(*row) for row in rows]

    def unit(self, unit_id: str) -> UnitView | None:
        row = _UNIT.first(self.conn, {"tenant": self.tenant, "id": unit_id})
        return _unit_view(*row) if row else None

    def units(self, *, types: list[UnitType], under: Unit | None, show_inactive: bool,
              after: tuple[str, str] | None, limit: int) -> list[UnitView]:
        """Keyset page ordered by path (a depth-first walk of the tree)."""
        query = _unit_page(self.conn.dialect.name, bool(types), under is not None, show_inactive, bool(after))
        params = {"tenant": self.tenant, "limit": limit, "types": [x.value for x in types],
                  "prefix": like_prefix(under.path) if under else "", "under": under.id if under else "",
                  "after": after[0] if after else ""}
        return self._unit_views(query.all(self.conn, params))

    def unit_path(self, unit: Unit) -> list[UnitView]:
        """From the top (township) down to and including `unit`."""
        ids = [p for p in unit.path.strip("/").split("/") if p]
        rows = _UNITS_BY_ID[self.conn.dialect.name].all(self.conn, {"tenant": self.tenant, "ids": ids})
        found = {v.id: v for v in self._unit_views(rows)}
        return [found[i] for i in ids if i in found]

    def active_members_in_subtree(self, unit: Unit) -> int:
        subtree = select(_u.c.id).where(_u.c.tenant == self.tenant, _u.c.path.like(like_prefix(unit.path)))
        return self.conn.execute(select(func.count()).select_from(_m).where(
            _m.c.tenant == self.tenant, _m.c.state == _ACTIVE_MEMBER, _m.c.unit_id.in_(subtree))).scalar_one()

    # ------------------------------------------------------------ members

    @property
    def key(self) -> DataKey:
        if self._key is None:
            raise RuntimeError("this unit of work was built without a data key (PB_DATA_KEY)")
        return self._key

    def _member_views(self, rows) -> list[MemberView]:
        rows = rows if isinstance(rows, list) else list(rows)
        holders = self._post_holders([r[0] for r in rows])
        opened = self.key.open
        return [
            MemberView(mid, tenant, unit_id, name, gender, opened(ID_CARD, id_card), opened(PHONE, phone),
                       _MEMBER_STATUSES[status], _MEMBER_CATEGORIES[category], joined_on, education,
                       opened(BIRTH_DATE, birth_date), _MEMBER_STATES[state], version, as_utc(created),
                       as_utc(updated), mid in holders)
            for (mid, tenant, unit_id, name, gender, id_card, _digest, phone, status, category, joined_on, education,
                 birth_date, state, version, created, updated) in rows
        ]

    def _post_holders(self, member_ids: list[str]) -> set[str]:
        """Which of these members hold a current post, one query for a page."""
        return {member_id for member_id, _, _ in self._current_posts(member_ids)}

    def _current_posts(self, member_ids: list[str]) -> list[tuple[str, str, str]]:
        query, rows = _CURRENT_POSTS[self.conn.dialect.name], []
        for chunk in _chunks(member_ids):
            rows += query.all(self.conn, {"tenant": self.tenant, "ids": chunk})
        return rows

    def members_by_id(self, member_ids: list[str]) -> list[MemberView]:
        """These members as GetMember shows them (what a merge moved, for its event)."""
        rows = []
        for chunk in _chunks(member_ids):
            rows += self.conn.execute(select(_m).where(_m.c.tenant == self.tenant, _m.c.id.in_(chunk))).all()
        return self._member_views(rows)

    def member(self, member_id: str) -> MemberView | None:
        row = _MEMBER.first(self.conn, {"tenant": self.tenant, "id": member_id})
        return self._member_views([row])[0] if row else None

    def members(self, *, under: Unit | None, status: MemberStatus | None, category: MemberCategory | None,
                post_holder: bool | None, show_transferred: bool, after: str | None, limit: int) -> list[MemberView]:
        query = select(_m).where(_m.c.tenant == self.tenant).order_by(_m.c.id).limit(limit)
        if under is not None:
            subtree = select(_u.c.id).where(_u.c.tenant == self.tenant, _u.c.path.like(like_prefix(under.path)))
            query = query.where(_m.c.unit_id.in_(subtree))
        if status is not None:
            query = query.where(_m.c.status == status.value)
        if category is not None:
            query = query.where(_m.c.category == category.value)
        if post_holder is not None:
            query = query.where(_holds_post if post_holder else ~_holds_post)
        if not show_transferred:
            query = query.where(_m.c.state == _ACTIVE_MEMBER)
        if after:
            query = query.where(_m.c.id > after)
        return self._member_views(self.conn.execute(query).all())

    # ------------------------------------------------------------ posts

    def _posts_select(self):
        return (select(*_POST_COLUMNS)
                .join_from(_p, _m, and_(_m.c.id == _p.c.member_id, _m.c.tenant == _p.c.tenant))
                .where(_p.c.tenant == self.tenant))

    def _post_views(self, rows) -> list[PostView]:
        rows = rows if isinstance(rows, list) else list(rows)
        held = self._current_types({(r[4], r[3]) for r in rows if r[7] is None})
        out = []
        for (pid, tenant, type_, unit_id, member_id, start, term_end, end, reason, organ, created, name, version) in rows:
            post_type = _POST_TYPES[type_]
            concurrent = (end is None and post_type in _CONCURRENT_TYPES
                          and rules.is_concurrent_secretary_director(held.get((member_id, unit_id), set())))
            out.append(PostView(pid, tenant, post_type, unit_id, member_id, start, term_end, end, reason, organ,
                                as_utc(created), name, concurrent, version))
        return out

    def _current_types(self, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], set[PostType]]:
        """Which post types each (member, unit) currently holds: to mark 一肩挑."""
        held: dict[tuple[str, str], set[PostType]] = {}
        for member_id, unit_id, type_ in self._current_posts(sorted({member for member, _ in pairs})):
            held.setdefault((member_id, unit_id), set()).add(_POST_TYPES[type_])
        return held

    def post(self, post_id: str) -> PostView | None:
        found = self._post_views(self.conn.execute(self._posts_select().where(_p.c.id == post_id)).all())
        return found[0] if found else None

    def posts_by_id(self, post_ids: list[str]) -> list[PostView]:
        rows = []
        for chunk in _chunks(post_ids):
            rows += self.conn.execute(self._posts_select().where(_p.c.id.in_(chunk))).all()
        return self._post_views(rows)

    def posts(self, *, unit_id: str | None, member_id: str | None, include_history: bool,
              after: str | None, limit: int) -> list[PostView]:
        query = self._posts_select().order_by(_p.c.id).limit(limit)
        if unit_id:
            query = query.where(_p.c.unit_id == unit_id)
        if member_id:
            query = query.where(_p.c.member_id == member_id)
        if not include_history:
            query = query.where(_p.c.end_date.is_(None))
        if after:
            query = query.where(_p.c.id > after)
        return self._post_views(self.conn.execute(query).all())
