"""A county's own message templates (notify_templates), tenant-scoped; etag = version."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from services.common.clock import as_utc
from services.notify.adapters import tables
from services.notify.domain.messages import Channel
from services.notify.domain.templates import Template

t = tables.notify_templates


@dataclass(frozen=True)
class StoredTemplate:
    template: Template
    version: int
    updated_by: str
    updated_at: dt.datetime


def _stored(row) -> StoredTemplate:
    return StoredTemplate(Template(row.event_type, Channel(row.channel), row.locale, row.subject, row.body),
                          row.version, row.updated_by, as_utc(row.updated_at))


class TemplateRepository:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    def _key(self, event_type: str, channel: Channel, locale: str):
        return (t.c.tenant == self.tenant, t.c.event_type == event_type, t.c.channel == channel.value,
                t.c.locale == locale)

    def get(self, event_type: str, channel: Channel, locale: str) -> StoredTemplate | None:
        row = self.conn.execute(select(t).where(*self._key(event_type, channel, locale))).first()
        return None if row is None else _stored(row)

    def list(self, event_type: str | None = None) -> list[StoredTemplate]:
        query = select(t).where(t.c.tenant == self.tenant)
        if event_type:
            query = query.where(t.c.event_type == event_type)
        return [_stored(row) for row in self.conn.execute(query)]

    def put(self, template: Template, version: int, who: str, at: dt.datetime) -> bool:
        """Store `template` as version `version` (1: the first); False if another writer came first."""
        values = {"subject": template.subject, "body": template.body, "version": version, "updated_by": who,
                  "updated_at": at}
        if version == 1:
            dialect = postgresql if self.conn.dialect.name == "postgresql" else sqlite
            stmt = dialect.insert(t).values(tenant=self.tenant, event_type=template.event_type,
                                            channel=template.channel.value, locale=template.locale, **values)
            return self.conn.execute(stmt.on_conflict_do_nothing().returning(t.c.tenant)).first() is not None
        done = self.conn.execute(update(t).where(
            *self._key(template.event_type, template.channel, template.locale), t.c.version == version - 1).values(**values))
        return done.rowcount == 1

    def delete(self, event_type: str, channel: Channel, locale: str, version: int) -> bool:
        done = self.conn.execute(delete(t).where(*self._key(event_type, channel, locale), t.c.version == version))
        return done.rowcount == 1
