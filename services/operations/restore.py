"""Restoring a county's dump on another deployment (`pbctl tenant import`), all or nothing.

Refused before anything is written when the file is not a dump this code reads, a member's
checksum or row count does not match the manifest, any service's schema is at another
revision than the source's, or the county already has rows here. The rows then go in through
one transaction per service, all committed together at the end.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Table, func, select
from sqlalchemy.exc import DBAPIError

from services.common.config import Settings
from services.common.sealing import DataKey
from services.common.tenancy import is_county_code
from services.operations import databases
from services.operations.dump import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    Refused,
    TableCount,
    member_name,
    travelling,
)
from services.operations.sealed_data import Resealer, restore_order

BATCH = 1000


def read_manifest(archive: zipfile.ZipFile, path: Path) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError):
        raise Refused(f"{path}: 不是县数据包（缺少 {MANIFEST}） / not a county dump (no readable {MANIFEST})") from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise Refused(f"{path}: 数据包格式 {manifest.get('format')} v{manifest.get('format_version')} 无法读取，"
                        f"应为 {FORMAT} v{FORMAT_VERSION} / cannot read format {manifest.get('format')!r} "
                        f"v{manifest.get('format_version')}; this version reads {FORMAT} v{FORMAT_VERSION}")
    if not is_county_code(str(manifest.get("tenant", ""))):
        raise Refused(f"{path}: 清单中的县代码无效 / the manifest names no valid county code")
    return manifest


def import_county(settings: Settings, path: Path) -> tuple[str, list[TableCount]]:
    """Restore the dump at `path` into this deployment's databases; the county and the rows per table."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise Refused(f"{path}: 无法打开数据包 / cannot open the dump: {exc}") from None
    dbs = databases.open_databases(settings)
    try:
        with archive:
            manifest = read_manifest(archive, path)
            tenant = manifest["tenant"]
            _check_members(archive, manifest)
            with databases.county_transactions(dbs, tenant) as conns:
                _check_revisions(manifest, databases.revisions(dbs, conns))
                databases.bind(conns, tenant)
                _check_absent(dbs, conns, tenant)
                resealer = Resealer(DataKey(settings.data_key))
                counts = []
                for db in dbs:
                    tables = sorted(travelling(db), key=lambda t, s=db.service: restore_order(s, t.name))
                    for table in tables:
                        try:
                            rows = _load_table(conns[db.service], db.service, table,
                                               _rows(archive, db.service, table), resealer)
                        except DBAPIError as exc:
                            raise Refused(f"{db.service}.{table.name}: 数据库拒绝了数据包中的一行，未导入任何数据 / the "
                                          f"database refused a row of the dump, nothing was imported: "
                                          f"{str(exc.orig).splitlines()[0]}") from None
                        counts.append(TableCount(db.service, table.name, rows))
            return tenant, counts
    finally:
        databases.dispose(dbs)


def _check_members(archive: zipfile.ZipFile, manifest: dict) -> None:
    """Every member is there and unaltered (its SHA-256 and row count as the manifest says)."""
    for service, entry in manifest["services"].items():
        for table, facts in entry["tables"].items():
            name = member_name(service, table)
            try:
                data = archive.read(name)
            except KeyError:
                raise Refused(f"数据包缺少 {name} / the dump lacks {name}") from None
            if hashlib.sha256(data).hexdigest() != facts["sha256"] or data.count(b"\n") != facts["rows"]:
                raise Refused(f"{name} 校验和不符，数据包已损坏或被改动 / {name}: checksum mismatch, the dump is "
                                "damaged or was altered")


def _check_revisions(manifest: dict, here: dict[str, str | None]) -> None:
    given = {service: entry["revision"] for service, entry in manifest["services"].items()}
    if given != here:
        diffs = ", ".join(f"{s}: dump {given.get(s)} / here {here.get(s)}" for s in sorted(set(given) | set(here))
                          if given.get(s) != here.get(s))
        raise Refused("数据库结构版本与数据包不一致，请先将两边迁移到同一版本 / the schema revisions differ from the "
                        f"dump's ({diffs}): migrate both deployments to the same release first")


def _check_absent(dbs: list[databases.ServiceDatabase], conns: dict, tenant: str) -> None:
    for db in dbs:
        for table in db.tenant_tables():
            column = databases.tenant_column(db.service, table)
            if conns[db.service].execute(select(func.count()).select_from(table).where(column == tenant)).scalar():
                raise Refused(f"ALREADY_EXISTS: 县 {tenant} 在此已有数据（{db.service}.{table.name}），未导入任何数据 / "
                                f"county {tenant} already has data here ({db.service}.{table.name}); nothing was "
                                "imported (purge it first if it is to be replaced)")


def _rows(archive: zipfile.ZipFile, service: str, table: Table) -> Iterator[dict]:
    with archive.open(member_name(service, table.name)) as member:
        for line in member:
            yield json.loads(line)


def _typed(table: Table):
    converters = {}
    for column in table.columns:
        try:
            kind = column.type.python_type
        except NotImplementedError:
            continue
        if kind is dt.datetime:
            converters[column.name] = dt.datetime.fromisoformat
        elif kind is dt.date:
            converters[column.name] = dt.date.fromisoformat
        elif kind is decimal.Decimal:
            converters[column.name] = decimal.Decimal
    return converters


def _load_table(conn, service: str, table: Table, rows: Iterator[dict], resealer: Resealer) -> int:
    converters, batch, count = _typed(table), [], 0
    for row in rows:
        row = resealer.sealed(service, table.name, row)
        batch.append({k: converters[k](v) if v is not None and k in converters else v for k, v in row.items()})
        if len(batch) == BATCH:
            conn.execute(table.insert(), batch)
            count, batch = count + len(batch), []
    if batch:
        conn.execute(table.insert(), batch)
    return count + len(batch)
