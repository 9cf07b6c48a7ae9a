"""The post (职务) aggregate: the posts table."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, func, insert, select, update

from services.common.clock import as_utc, utcnow
from services.organization.adapters import tables as t
from services.organization.adapters.repositories._sql import CHUNK
from services.organization.domain.model import Post, PostType


class PostRepository:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    @staticmethod
    def _from_row(row) -> Post:
        return Post(
            id=row.id, tenant=row.tenant, type=PostType(row.type), unit_id=row.unit_id, member_id=row.member_id,
            start_date=row.start_date, term_end_date=row.term_end_date, end_date=row.end_date,
            end_reason=row.end_reason, dispatching_organ=row.dispatching_organ,
            origin_unit_id=row.origin_unit_id, created_at=as_utc(row.created_at), version=row.version,
        )

    def _select(self):
        return select(t.posts).where(t.posts.c.tenant == self.tenant)

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
                created_at=p.created_at, version=p.version,
            ) for p in posts])

    def end(self, post: Post) -> None:
        self.conn.execute(update(t.posts).where(t.posts.c.tenant == self.tenant, t.posts.c.id == post.id)
                          .values(end_date=post.end_date, end_reason=post.end_reason, version=t.posts.c.version + 1))
        post.version += 1

    def current_count(self, unit_id: str, post_type: PostType) -> int:
        return self.conn.execute(select(func.count()).select_from(t.posts).where(
            t.posts.c.tenant == self.tenant, t.posts.c.unit_id == unit_id,
            t.posts.c.type == post_type.value, t.posts.c.end_date.is_(None))).scalar_one()

    def current_in_unit(self, unit_id: str) -> list[Post]:
        rows = self.conn.execute(self._select().where(t.posts.c.unit_id == unit_id, t.posts.c.end_date.is_(None))
                                 .order_by(t.posts.c.id))
        return [self._from_row(r) for r in rows]

    def current_for_member(self, member_id: str) -> list[Post]:
        rows = self.conn.execute(self._select().where(t.posts.c.member_id == member_id, t.posts.c.end_date.is_(None)))
        return [self._from_row(r) for r in rows]

    def current_counts(self, unit_ids: list[str]) -> dict[tuple[str, PostType], int]:
        """Current posts per (unit, type) for these units (bulk import checks the maxima)."""
        counts: dict[tuple[str, PostType], int] = {}
        for i in range(0, len(unit_ids), CHUNK):
            rows = self.conn.execute(
                select(t.posts.c.unit_id, t.posts.c.type, func.count()).where(
                    t.posts.c.tenant == self.tenant, t.posts.c.unit_id.in_(unit_ids[i:i + CHUNK]),
                    t.posts.c.end_date.is_(None)).group_by(t.posts.c.unit_id, t.posts.c.type))
            for unit_id, post_type, n in rows:
                counts[(unit_id, PostType(post_type))] = n
        return counts

    def current_types_by_member_unit(self, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], set[PostType]]:
        """Which post types each (member, unit) currently holds: to mark 一肩挑."""
        if not pairs:
            return {}
        members = {m for m, _ in pairs}
        rows = self.conn.execute(select(t.posts.c.member_id, t.posts.c.unit_id, t.posts.c.type).where(
            t.posts.c.tenant == self.tenant, t.posts.c.member_id.in_(members), t.posts.c.end_date.is_(None)))
        held: dict[tuple[str, str], set[PostType]] = {}
        for r in rows:
            held.setdefault((r.member_id, r.unit_id), set()).add(PostType(r.type))
        return held

    def move_unit(self, from_unit: str, to_unit: str) -> list[str]:
        """A merge moves the posts and their history; origin_unit_id keeps where they were held.
        Returns the moved posts' ids."""
        ids = list(self.conn.execute(select(t.posts.c.id).where(
            t.posts.c.tenant == self.tenant, t.posts.c.unit_id == from_unit)).scalars())
        # The same rows: the merge holds the source unit's lock, which AssignPost takes too.
        self.conn.execute(
            update(t.posts).where(t.posts.c.tenant == self.tenant, t.posts.c.unit_id == from_unit)
            .values(unit_id=to_unit, origin_unit_id=func.coalesce(t.posts.c.origin_unit_id, from_unit),
                    version=t.posts.c.version + 1)
        )
        return ids

    def expiring(self, on_or_before: dt.date) -> list[Post]:
        """Current posts whose term ends by the given date and was not yet announced."""
        rows = self.conn.execute(self._select().where(
            t.posts.c.end_date.is_(None), t.posts.c.term_end_date.is_not(None),
            t.posts.c.term_end_date <= on_or_before, t.posts.c.expiry_announced.is_(False)))
        return [self._from_row(r) for r in rows]

    def mark_expiry_announced(self, post_ids: list[str]) -> None:
        if post_ids:
            self.conn.execute(update(t.posts).where(t.posts.c.tenant == self.tenant, t.posts.c.id.in_(post_ids))
                              .values(expiry_announced=True))
