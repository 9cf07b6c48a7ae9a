"""The points schema: the kernel's common tables, the organization directory, rule sets.

The ledger's and the exchange's tables are appended below by their own sections.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, Index, Integer, MetaData, String, Table, Text

from services.common.directory import add_directory_tables
from services.common.tables import NAMING, add_common_tables, utc_datetime

metadata = MetaData(naming_convention=NAMING)
common = add_common_tables(metadata)
outbox = common["outbox"]
# What this service knows of the organization (docs/directory.md), fed by its events.
directory = add_directory_tables(metadata)

# ------------------------------------------------------------ rule sets

rule_sets = Table(
    "rule_sets",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("display_name", String(100), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    # The shipped template it was adopted from ("" for none).
    Column("template", String(40), nullable=False, server_default=""),
    Column("latest_revision", Integer, nullable=False),
    # The etag: grows with every change of the rule set or of its latest revision.
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", utc_datetime(), nullable=False),
    Column("updated_at", utc_datetime(), nullable=False),
)

rule_set_revisions = Table(
    "rule_set_revisions",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("rule_set_id", String(40), primary_key=True),
    Column("revision", Integer, primary_key=True),
    Column("state", String(12), nullable=False),
    Column("mode", String(20), nullable=False),
    Column("base", Integer, nullable=False),
    Column("floor", Integer, nullable=False),
    Column("max_quantity", Integer, nullable=False),
    # JSON {"thresholds": [...], "rules": [...]}: read and written whole, never queried inside.
    Column("body", Text, nullable=False),
    Column("effective_from", Date, nullable=True),
    Column("published_at", utc_datetime(), nullable=True),
    Column("published_by", String(100), nullable=False, server_default=""),
    Column("created_at", utc_datetime(), nullable=False),
    Column("updated_at", utc_datetime(), nullable=False),
    # rules_in_force: the latest published effective_from on or before a date.
    Index("ix_rule_set_revisions_in_force", "tenant", "state", "effective_from"),
)
