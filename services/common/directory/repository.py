"""`uow.directory`: a service's local read model of the organization, tenant-scoped.

Reads answer from the service's own tables; `unit`, `member` and `tenant` ask the organization
on a miss (an event not applied yet) when a client is given, and store the answer with the
unit of work's transaction. Writes upsert by version, one statement per list (upsert.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, delete, false, func, select

from services.common.clock import utcnow
from services.common.db import LIKE_ESCAPE, like_prefix
from services.common.directory.model import (
    DirectoryMember,
    DirectoryPost,
    DirectoryTenant,
    DirectoryUnit,
    OrganizationReader,
)
from services.common.directory.tables import DirectoryTables
from services.common.directory.upsert import upsert_by_version

CHUNK = 5000  # ids per IN list: well under SQLite's and PostgreSQL's parameter limits
_ACTIVE_MEMBER = "MEMBER_ACTIVE"


def _fields(cls) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


_COLUMNS = {cls: _fields(cls) for cls in (DirectoryTenant, DirectoryUnit, DirectoryMember, DirectoryPost)}


def _model(cls, item):
    """A model object from itself, its resource or its snapshot."""
    return item if isinstance(item, cls) else cls.from_proto(item)


class Directory:
    """The organization as this service last heard of it, for one tenant."""

    def __init__(self, conn: Connection, tables: DirectoryTables, tenant: str,
                 client: OrganizationReader | None = None):
        # `tenant()` is a read: the code is `tenant_code`.
        self.conn, self.tables, self.tenant_code, self.client = conn, tables, tenant, client

    # ------------------------------------------------------------ reads

    def tenant(self) -> DirectoryTenant | None:
        """This county, or None when the organization does not know it."""
        return self._read_through(self.tables.tenants, DirectoryTenant, self.tenant_code,
                                  lambda client: client.get_tenant(self.tenant_code))

    def unit(self, unit_id: str) -> DirectoryUnit | None:
        """One unit, whatever its state; None when the organization does not know it."""
        return self._read_through(self.tables.units, DirectoryUnit, unit_id,
                                  lambda client: client.get_unit(self.tenant_code, unit_id))

    def member(self, member_id: str) -> DirectoryMember | None:
        """One member, transferred-out ones too; None when the organization does not know them."""
        return self._read_through(self.tables.members, DirectoryMember, member_id,
                                  lambda client: client.get_member(self.tenant_code, member_id))

    def units_in_subtree(self, root_id: str) -> list[DirectoryUnit]:
        """The root and every unit below it, in path order (parents before children)."""
        t = self.tables.units
        condition = self.in_subtree(t.c.id, root_id)
        rows = self.conn.execute(select(t).where(t.c.tenant == self.tenant_code, condition).order_by(t.c.path))
        return [self._row(DirectoryUnit, row) for row in rows]

    def members_in_subtree(self, root_id: str, active_only: bool = True) -> list[DirectoryMember]:
        """Members of the root's unit and of every unit below it, by id."""
        t = self.tables.members
        query = select(t).where(t.c.tenant == self.tenant_code, self.in_subtree(t.c.unit_id, root_id))
        if active_only:
            query = query.where(t.c.state == _ACTIVE_MEMBER)
        return [self._row(DirectoryMember, row) for row in self.conn.execute(query.order_by(t.c.id))]

    def current_posts(self, unit_id: str | None = None, member_id: str | None = None) -> list[DirectoryPost]:
        """Posts not ended, of one unit, of one member, or of the whole county."""
        t, m = self.tables.posts, self.tables.members
        # A rename gives the member a new version, not their posts: the holder's name is the
        # member row's where the directory has it.
        holder = func.coalesce(m.c.display_name, t.c.member_display_name).label("member_display_name")
        query = (select(*(c for c in t.c if c.name != "member_display_name"), holder)
                 .select_from(t.outerjoin(m, and_(m.c.tenant == t.c.tenant, m.c.id == t.c.member_id)))
                 .where(t.c.tenant == self.tenant_code, t.c.current.is_(True)))
        if unit_id is not None:
            query = query.where(t.c.unit_id == unit_id)
        if member_id is not None:
            query = query.where(t.c.member_id == member_id)
        return [self._row(DirectoryPost, row) for row in self.conn.execute(query.order_by(t.c.id))]

    def in_subtree(self, unit_id_column: ColumnElement, root_id: str) -> ColumnElement[bool]:
        """A condition for a service's own queries: `unit_id_column` is the root or below it.

        e.g. `select(entries).where(uow.directory.in_subtree(entries.c.unit_id, root))`; false
        when the root is unknown.
        """
        root = self.unit(root_id)
        if root is None:
            return false()
        t = self.tables.units
        if not root.path:  # a unit without a path is a subtree of its own
            return unit_id_column == root.id
        subtree = select(t.c.id).where(t.c.tenant == self.tenant_code,
                                       t.c.path.like(like_prefix(root.path), escape=LIKE_ESCAPE))
        return unit_id_column.in_(subtree)

    # ------------------------------------------------------------ writes

    def apply_tenant(self, tenant: DirectoryTenant | Any, *, overwrite_equal: bool = False) -> int:
        """Upsert the county's own row by version; returns 1 when it changed."""
        return self._apply(self.tables.tenants, DirectoryTenant, [tenant], overwrite_equal)

    def apply_units(self, units: Iterable[DirectoryUnit | Any], *, overwrite_equal: bool = False) -> int:
        """Upsert units (models, `Unit`s or `UnitSnapshot`s) by version; returns the rows changed."""
        return self._apply(self.tables.units, DirectoryUnit, units, overwrite_equal)

    def apply_members(self, members: Iterable[DirectoryMember | Any], *, overwrite_equal: bool = False) -> int:
        """Upsert members by version; returns the rows changed."""
        return self._apply(self.tables.members, DirectoryMember, members, overwrite_equal)

    def apply_posts(self, posts: Iterable[DirectoryPost | Any], *, overwrite_equal: bool = False) -> int:
        """Upsert posts by version; returns the rows changed."""
        return self._apply(self.tables.posts, DirectoryPost, posts, overwrite_equal)

    def ids(self, table: Table) -> set[str]:
        """Every id the directory holds in one of its tables for this tenant (for a resync)."""
        return set(self.conn.execute(select(table.c.id).where(table.c.tenant == self.tenant_code)).scalars())

    def remove(self, table: Table, ids: Iterable[str], applied_before) -> int:
        """Delete rows by id that were last applied before `applied_before`; returns how many."""
        ids, removed = sorted(ids), 0
        for start in range(0, len(ids), CHUNK):
            removed += self.conn.execute(delete(table).where(
                table.c.tenant == self.tenant_code, table.c.id.in_(ids[start:start + CHUNK]),
                table.c.applied_at < applied_before)).rowcount
        return removed

    # ------------------------------------------------------------ internals

    def _read_through(self, table: Table, cls, row_id: str, ask: Callable[[OrganizationReader], Any]):
        found = self._get(table, cls, row_id)
        if found is None and self.client is not None:
            found = ask(self.client)
            # Only a writing unit of work commits what it stores; a read one would roll it back
            # (SQLite) or refuse it (PostgreSQL's read pool is read-only).
            if found is not None and self.conn.get_execution_options().get("pb_write"):
                self._apply(table, cls, [found], overwrite_equal=False)
        return found

    def _get(self, table: Table, cls, row_id: str):
        row = self.conn.execute(select(table).where(table.c.tenant == self.tenant_code, table.c.id == row_id)).first()
        return None if row is None else self._row(cls, row)

    @staticmethod
    def _row(cls, row):
        mapping = row._mapping
        return cls(**{name: mapping[name] for name in _COLUMNS[cls]})

    def _apply(self, table: Table, cls, items: Iterable, overwrite_equal: bool) -> int:
        # Highest version per id: one INSERT may not touch a row twice (PostgreSQL refuses it).
        latest: dict[str, Any] = {}
        for item in items:
            model = _model(cls, item)
            if model.tenant != self.tenant_code or not model.id:
                continue  # another county's row never enters this one's directory
            kept = latest.get(model.id)
            if kept is None or model.version > kept.version:
                latest[model.id] = model
        if not latest:
            return 0
        names = _COLUMNS[cls] if cls is not DirectoryTenant else (*_COLUMNS[cls], "id")
        # In id order: two transactions upserting overlapping lists lock rows in one order, no deadlock.
        rows = [{name: getattr(m, name) for name in names} for _, m in sorted(latest.items())]
        return upsert_by_version(self.conn, table, rows, utcnow(), overwrite_equal)
