"""A county's dump (`pbctl tenant export`): every service's rows of one county in one versioned zip.

Layout: `manifest.json` (format and version, the county, each service's schema revision, and per
table its row count and the SHA-256 of its member) and `<service>/<table>.jsonl`, one row per
line. What travels and what does not, and why, is in docs/operations.md ("Restoring a county").
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Table, select

from services.common.config import Settings
from services.common.sealing import DataKey
from services.operations import databases
from services.operations.sealed_data import opened

FORMAT = "partybuilding-tenant-dump"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# Whose values the target assigns itself (their sequences would collide there); rows keep their order.
RENUMBERED = {"outbox": "seq", "dead_letters": "id", "unit_history": "id", "member_history": "id"}
# Local to a deployment: the county is restored to be served, not archived again.
STAYS = {"archived_tenants"}


class Refused(Exception):
    """The operation is refused before anything is written; the message says why, in Chinese and English."""


@dataclass(frozen=True)
class TableCount:
    service: str
    table: str
    rows: int


def member_name(service: str, table: str) -> str:
    return f"{service}/{table}.jsonl"


def travelling(db: databases.ServiceDatabase) -> list[Table]:
    return [t for t in db.tenant_tables() if t.name not in STAYS]


def _plain(value):
    if isinstance(value, dt.datetime):
        # SQLite hands back naive UTC; PostgreSQL the session's zone: the dump says UTC either way.
        return (value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)).isoformat()
    if isinstance(value, dt.date | decimal.Decimal):
        return str(value)
    raise TypeError(f"cannot dump a {type(value).__name__}")


def export_county(settings: Settings, tenant: str, out: Path) -> list[TableCount]:
    """Write the county's dump to `out` (0600, replaced only once complete); the rows per table."""
    dbs = databases.open_databases(settings)
    key = DataKey(settings.data_key)
    partial = out.with_name(f".{out.name}.partial")
    counts: list[TableCount] = []
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # an older file's mode does not survive
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive, \
                databases.county_transactions(dbs, tenant, write=False) as conns:
            manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "tenant": tenant,
                        "exported_at": dt.datetime.now(dt.UTC).isoformat(), "services": {}}
            for service, revision in databases.revisions(dbs, conns).items():
                manifest["services"][service] = {"revision": revision, "tables": {}}
            databases.bind(conns, tenant)
            _check_exists(conns["organization"], next(db for db in dbs if db.service == "organization"), tenant)
            for db in dbs:
                for table in travelling(db):
                    rows, digest = _write_table(archive, conns[db.service], db, table, tenant, key)
                    manifest["services"][db.service]["tables"][table.name] = {"rows": rows, "sha256": digest}
                    counts.append(TableCount(db.service, table.name, rows))
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
        databases.dispose(dbs)
    return counts


def _check_exists(conn, org: databases.ServiceDatabase, tenant: str) -> None:
    tenants = org.metadata.tables["tenants"]
    if conn.execute(select(tenants.c.code).where(tenants.c.code == tenant)).first() is None:
        raise Refused(f"没有县 {tenant} / no county {tenant} on this deployment")


def _write_table(archive: zipfile.ZipFile, conn, db: databases.ServiceDatabase, table: Table, tenant: str,
                 key: DataKey) -> tuple[int, str]:
    column = databases.tenant_column(db.service, table)
    renumbered = RENUMBERED.get(table.name)
    order = [table.c[renumbered]] if renumbered else list(table.primary_key.columns)
    digest, rows = hashlib.sha256(), 0
    with archive.open(member_name(db.service, table.name), "w") as member:
        for row in conn.execute(select(table).where(column == tenant).order_by(*order)).mappings():
            values = {k: v for k, v in row.items() if k != renumbered}
            line = (json.dumps(opened(db.service, table.name, values, key), ensure_ascii=False, sort_keys=True,
                               default=_plain) + "\n").encode()
            member.write(line)
            digest.update(line)
            rows += 1
    return rows, digest.hexdigest()
