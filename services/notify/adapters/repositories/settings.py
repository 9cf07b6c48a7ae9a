"""The tenant's notify settings document (domain/settings.py): one row per tenant, JSON."""

from __future__ import annotations

import json

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from services.common.clock import utcnow
from services.notify.adapters import tables

s = tables.notify_settings


class SettingsRepository:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    def load(self) -> tuple[dict, int]:
        """The stored document and its version; ({}, 0) for a tenant that never changed its settings."""
        row = self.conn.execute(select(s.c.doc, s.c.version).where(s.c.tenant == self.tenant)).first()
        return ({}, 0) if row is None else (json.loads(row.doc), row.version)

    def save(self, doc: dict, version: int, who: str) -> bool:
        """Store `doc` as version `version` (1 for the first); False if another writer came first."""
        values = {"doc": json.dumps(doc, ensure_ascii=False, sort_keys=True), "version": version,
                  "updated_by": who, "updated_at": utcnow()}
        if version == 1:
            # Two first writers: the second finds the row and loses, as a stale etag would.
            dialect = postgresql if self.conn.dialect.name == "postgresql" else sqlite
            stmt = dialect.insert(s).values(tenant=self.tenant, **values).on_conflict_do_nothing().returning(s.c.tenant)
            return self.conn.execute(stmt).first() is not None
        done = self.conn.execute(update(s).where(s.c.tenant == self.tenant, s.c.version == version - 1).values(**values))
        return done.rowcount == 1

    def stamp(self) -> dict:
        """Who last changed the settings and when: {"updated_by", "updated_at"}, {} if never."""
        row = self.conn.execute(select(s.c.updated_by, s.c.updated_at).where(s.c.tenant == self.tenant)).first()
        return {} if row is None else {"updated_by": row.updated_by, "updated_at": row.updated_at}
