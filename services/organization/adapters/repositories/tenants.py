"""The tenant (county) aggregate: the tenants table."""

from __future__ import annotations

import json
from dataclasses import asdict

from sqlalchemy import Connection, insert, select, update

from services.common.clock import as_utc, utcnow
from services.organization.adapters import tables as t
from services.organization.domain.model import Tenant, TenantSettings


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
