"""A county leaving the platform: archived in every service at once, purged after a retention period.

Archiving writes the county into each service's `archived_tenants` (every RPC naming it is then
refused with FAILED_PRECONDITION TENANT_ARCHIVED, see services/common/archive.py); its data stays
so that it can still be exported. Purging deletes every row the county holds in every service,
in one transaction per service committed together, and only once the retention period is over
unless the operator forces it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from services.common.config import Settings
from services.operations import databases
from services.operations.dump import Refused, TableCount

RETENTION_DAYS = 180


@dataclass(frozen=True)
class Archive:
    tenant: str
    archived_at: dt.datetime
    purge_after: dt.datetime
    newly: bool  # False: it was archived before (a re-run)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _archive_row(db: databases.ServiceDatabase, conn, tenant: str):
    table = db.metadata.tables["archived_tenants"]
    return conn.execute(select(table).where(table.c.tenant == tenant)).first()


def _require_county(dbs: list[databases.ServiceDatabase], conns: dict, tenant: str) -> None:
    org = next(db for db in dbs if db.service == "organization")
    tenants = org.metadata.tables["tenants"]
    if conns["organization"].execute(select(tenants.c.code).where(tenants.c.code == tenant)).first() is None:
        raise Refused(f"NOT_FOUND: 没有县 {tenant} / no county {tenant} on this deployment")


def offboard(settings: Settings, tenant: str, actor: str, retention_days: int = RETENTION_DAYS,
             now: dt.datetime | None = None) -> Archive:
    """Archive the county in every service (a re-run keeps the first archive's dates)."""
    now = now or dt.datetime.now(dt.UTC)
    dbs = databases.open_databases(settings)
    try:
        with databases.county_transactions(dbs, tenant) as conns:
            databases.bind(conns, tenant)
            _require_county(dbs, conns, tenant)
            first = None
            for db in dbs:
                row = _archive_row(db, conns[db.service], tenant)
                if row is None:
                    row_values = dict(tenant=tenant, archived_at=now, archived_by=actor,
                                      purge_after=now + dt.timedelta(days=retention_days))
                    conns[db.service].execute(insert(db.metadata.tables["archived_tenants"]).values(**row_values))
                else:
                    first = first or row
        if first is not None:
            return Archive(tenant, _utc(first.archived_at), _utc(first.purge_after), newly=False)
        return Archive(tenant, now, now + dt.timedelta(days=retention_days), newly=True)
    finally:
        databases.dispose(dbs)


def purge(settings: Settings, tenant: str, force: bool = False, now: dt.datetime | None = None) -> list[TableCount]:
    """Delete every row of an archived county in every service; the rows deleted per table."""
    now = now or dt.datetime.now(dt.UTC)
    dbs = databases.open_databases(settings)
    try:
        with databases.county_transactions(dbs, tenant) as conns:
            databases.bind(conns, tenant)
            archives = [_archive_row(db, conns[db.service], tenant) for db in dbs]
            if any(row is None for row in archives):
                raise Refused(f"FAILED_PRECONDITION: 县 {tenant} 未停用，请先执行 pbctl tenant offboard / county "
                                f"{tenant} is not archived (in every service): run `pbctl tenant offboard` first")
            due = max(_utc(row.purge_after) for row in archives)
            if now < due and not force:
                raise Refused(f"FAILED_PRECONDITION: 县 {tenant} 的保留期至 {due:%Y-%m-%d %H:%M} UTC，未到期不能清除 / "
                                f"county {tenant} is kept until {due:%Y-%m-%d %H:%M} UTC; purging earlier needs "
                                "--force-before-retention-ends")
            counts = []
            for db in dbs:
                for table in db.tenant_tables():
                    column = databases.tenant_column(db.service, table)
                    deleted = conns[db.service].execute(delete(table).where(column == tenant)).rowcount
                    counts.append(TableCount(db.service, table.name, deleted))
        return counts
    finally:
        databases.dispose(dbs)
