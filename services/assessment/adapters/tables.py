"""The assessment schema: the kernel's common tables, the organization directory, schemes.

One section per concern (rounds, results, cases are appended below by their own sections).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, Integer, MetaData, String, Table, Text

from services.common.directory import add_directory_tables
from services.common.tables import NAMING, add_common_tables, utc_datetime

metadata = MetaData(naming_convention=NAMING)
common = add_common_tables(metadata)
outbox = common["outbox"]
# What this service knows of the organization (docs/directory.md), fed by its events.
directory = add_directory_tables(metadata)

# ------------------------------------------------------------ schemes (考核方案)

schemes = Table(
    "schemes",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("id", String(40), primary_key=True),
    # The shipped template it was adopted from ("" for none).
    Column("template", String(40), nullable=False, server_default=""),
    Column("latest_revision", Integer, nullable=False),
    # The etag: grows with every change of the scheme's latest revision.
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", utc_datetime(), nullable=False),
    Column("updated_at", utc_datetime(), nullable=False),
)

scheme_revisions = Table(
    "scheme_revisions",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("scheme_id", String(40), primary_key=True),
    Column("revision", Integer, primary_key=True),
    Column("state", String(12), nullable=False),
    Column("display_name", String(100), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("target_kind", String(20), nullable=False),
    Column("period_kind", String(20), nullable=False),
    # JSON {"dimensions", "sources", "negative_items", "grades", "stages", "result_rules"}, decimals as
    # strings (exact): read and written whole, never queried inside. A published body never changes.
    Column("body", Text, nullable=False),
    Column("effective_from", Date, nullable=True),
    Column("published_at", utc_datetime(), nullable=True),
    Column("published_by", String(100), nullable=False, server_default=""),
    Column("created_at", utc_datetime(), nullable=False),
    Column("updated_at", utc_datetime(), nullable=False),
)
