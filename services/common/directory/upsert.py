"""Upsert by version, one statement per list: a row changes only when the incoming version is newer.

PostgreSQL gets the list as one array per column (`INSERT .. SELECT FROM unnest(..)`): one
statement of a dozen parameters for any number of rows, compiled once. SQLite gets a multi-row
INSERT (SQLAlchemy's insertmanyvalues, which RETURNING turns on). Either way RETURNING names the
rows that changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, DateTime, Table, bindparam, text
from sqlalchemy.dialects import sqlite

_ARRAY_TYPES = {str: "text[]", int: "bigint[]", bool: "boolean[]", dt.date: "date[]"}
_STATEMENTS: dict[tuple[str, Table, bool], Any] = {}


def upsert_by_version(conn: Connection, table: Table, rows: list[dict], applied_at: dt.datetime,
                      overwrite_equal: bool = False) -> int:
    """Insert or update `rows` (one id at most once) keyed by (tenant, id); returns the rows changed.

    `overwrite_equal` also rewrites rows whose stored version equals the incoming one (a resync).
    """
    if not rows:
        return 0
    dialect = conn.dialect.name
    key = (dialect, table, overwrite_equal)
    if key not in _STATEMENTS:
        _STATEMENTS[key] = (_postgresql if dialect == "postgresql" else _sqlite)(table, overwrite_equal)
    if dialect == "postgresql":
        columns = {name: [row[name] for row in rows] for name in rows[0]}
        return len(conn.execute(_STATEMENTS[key], {**columns, "applied_at": applied_at}).all())
    return len(conn.execute(_STATEMENTS[key], [{**row, "applied_at": applied_at} for row in rows]).all())


def _data_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if c.name != "applied_at"]


def _postgresql(table: Table, overwrite_equal: bool):
    names = _data_columns(table)
    arrays = ", ".join(f"CAST(:{n} AS {_ARRAY_TYPES[table.c[n].type.python_type]})" for n in names)
    updates = ", ".join(f'"{c.name}" = excluded."{c.name}"' for c in table.columns if c.name not in ("tenant", "id"))
    listed = ", ".join(f'"{n}"' for n in names)
    sql = (f'INSERT INTO {table.name} ({listed}, applied_at) SELECT listed.*, :applied_at '
           f"FROM unnest({arrays}) AS listed({listed}) "
           f"ON CONFLICT (tenant, id) DO UPDATE SET {updates} "
           f"WHERE excluded.version {'>=' if overwrite_equal else '>'} {table.name}.version RETURNING id")
    return text(sql).bindparams(bindparam("applied_at", type_=DateTime(timezone=True)))


def _sqlite(table: Table, overwrite_equal: bool):
    stmt = sqlite.insert(table)
    incoming, stored = stmt.excluded.version, table.c.version
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.tenant, table.c.id],
        set_={c.name: stmt.excluded[c.name] for c in table.columns if c.name not in ("tenant", "id")},
        where=incoming >= stored if overwrite_equal else incoming > stored,
    )
    return stmt.returning(table.c.id)
