"""Webhook endpoints, tenant-scoped; their secrets stay sealed here and in the domain."""

from __future__ import annotations

import json

from sqlalchemy import Connection, delete, select, update

from services.common.clock import as_utc
from services.notify.adapters import tables
from services.notify.domain.webhooks import WebhookEndpoint

w = tables.webhook_endpoints


def _endpoint(row) -> WebhookEndpoint:
    return WebhookEndpoint(row.tenant, row.id, row.display_name, row.url, tuple(json.loads(row.event_types)),
                           row.secret_sealed, row.enabled, row.disabled_reason, row.consecutive_failures,
                           as_utc(row.created_at), as_utc(row.updated_at), row.version)


def _row(e: WebhookEndpoint) -> dict:
    return {"tenant": e.tenant, "id": e.id, "display_name": e.display_name, "url": e.url,
            "event_types": json.dumps(list(e.event_types)), "secret_sealed": e.secret_sealed, "enabled": e.enabled,
            "disabled_reason": e.disabled_reason, "consecutive_failures": e.consecutive_failures,
            "created_at": e.created_at, "updated_at": e.updated_at, "version": e.version}


class WebhookRepository:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    def add(self, endpoint: WebhookEndpoint) -> None:
        self.conn.execute(w.insert().values(**_row(endpoint)))

    def get(self, endpoint_id: str, for_update: bool = False) -> WebhookEndpoint | None:
        """One endpoint; `for_update` locks it until the transaction ends (failure counts of calls
        finishing together add up instead of overwriting each other)."""
        stmt = select(w).where(w.c.tenant == self.tenant, w.c.id == endpoint_id)
        row = self.conn.execute(stmt.with_for_update() if for_update else stmt).first()
        return None if row is None else _endpoint(row)

    def page(self, after: str | None, limit: int) -> list[WebhookEndpoint]:
        stmt = select(w).where(w.c.tenant == self.tenant)
        if after is not None:
            stmt = stmt.where(w.c.id > after)
        return [_endpoint(row) for row in self.conn.execute(stmt.order_by(w.c.id).limit(limit))]

    def enabled(self) -> list[WebhookEndpoint]:
        """The endpoints a new message may go to (compose matches their filters)."""
        stmt = select(w).where(w.c.tenant == self.tenant, w.c.enabled.is_(True)).order_by(w.c.id)
        return [_endpoint(row) for row in self.conn.execute(stmt)]

    def save(self, endpoint: WebhookEndpoint) -> bool:
        """Write it if nobody changed it meanwhile (its stored version is endpoint.version - 1)."""
        values = {k: v for k, v in _row(endpoint).items() if k not in ("tenant", "id", "created_at")}
        done = self.conn.execute(update(w).where(w.c.tenant == self.tenant, w.c.id == endpoint.id,
                                                 w.c.version == endpoint.version - 1).values(**values))
        return done.rowcount == 1

    def remove(self, endpoint_id: str) -> None:
        self.conn.execute(delete(w).where(w.c.tenant == self.tenant, w.c.id == endpoint_id))
