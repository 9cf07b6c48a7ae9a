"""Dates stored as DATE, NULL for none: members' joining dates, posts' start, term end and end,
pairings' start. Until now they were YYYY-MM-DD text with "" for none.

Revision ID: 0005
Revises: 0004
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, nullable): a nullable column's "" meant "none" (a post's NULL end: still held).
_COLUMNS = (
    ('members', 'joined_on', True),
    ('posts', 'start_date', False),
    ('posts', 'term_end_date', True),
    ('posts', 'end_date', True),
    ('pairings', 'start_date', False),
)


def _tables() -> dict[str, list[tuple[str, bool]]]:
    tables: dict[str, list[tuple[str, bool]]] = {}
    for table, column, nullable in _COLUMNS:
        tables.setdefault(table, []).append((column, nullable))
    return tables


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    for table, columns in _tables().items():
        if postgres:
            for column, nullable in columns:
                using = f"NULLIF({column}, '')::date" if nullable else f"{column}::date"
                op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")
                if nullable:
                    op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP NOT NULL")
                op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE date USING {using}")
            continue
        # SQLite keeps a DATE as its YYYY-MM-DD text, so the rebuilt table takes the text as it is:
        # the columns are reflected as already DATE, or the copy would CAST('2010-07-01' AS DATE),
        # which SQLite makes the number 2010.
        _rebuild(table, [sa.Column(column, sa.Date(), nullable=nullable) for column, nullable in columns])
        for column, nullable in columns:
            if nullable:
                op.execute(f"UPDATE {table} SET {column} = NULL WHERE {column} = ''")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    for table, columns in _tables().items():
        for column, nullable in columns:
            if postgres:
                op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(10)"
                           f" USING COALESCE(to_char({column}, 'YYYY-MM-DD'), '')")
                op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL")
                if nullable:
                    op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT ''")
            else:
                op.execute(f"UPDATE {table} SET {column} = '' WHERE {column} IS NULL")
        if not postgres:
            _rebuild(table, [sa.Column(column, sa.String(length=10), nullable=False,
                                       server_default='' if nullable else None) for column, nullable in columns])


def _rebuild(table: str, columns: list[sa.Column]) -> None:
    """Rebuild an SQLite table with these columns' new definitions, their values copied as they are."""
    with op.batch_alter_table(table, recreate='always', reflect_args=columns):
        pass
