"""The assessment schema: the kernel's common tables, the organization directory, schemes.

One section per concern (rounds, results, cases are appended below by their own sections).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

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

# ------------------------------------------------------------ results (考核结果)

# One row per target of a round: provisional from the public notice on, final once finalized
# (replaced whole each time). Scores in hundredths; the explanation is one JSON document.
results = Table(
    "results",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("round_id", String(40), primary_key=True),
    Column("target_id", String(40), primary_key=True),
    Column("unit_id", String(40), nullable=False),
    Column("member_id", String(40), nullable=False, server_default=""),
    Column("township_id", String(40), nullable=False),
    # The target's unit path at round creation (as round_targets): a clerk reads its subtree's.
    Column("unit_path", Text, nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("final", Boolean, nullable=False),
    Column("base_centi", BigInteger, nullable=False),
    Column("deductions_centi", BigInteger, nullable=False),
    Column("total_centi", BigInteger, nullable=False),
    Column("grade_before", String(40), nullable=False),
    Column("grade", String(40), nullable=False),
    Column("grade_index", Integer, nullable=False),
    Column("rank_in_township", Integer, nullable=False),
    Column("rank_in_scope", Integer, nullable=False),
    Column("weak", Boolean, nullable=False),
    # Carried to the next round of the scheme: the title held, the run of last places.
    Column("holds_title", Boolean, nullable=False),
    Column("last_place_streak", Integer, nullable=False),
    # JSON (domain/result_records.py): dimensions, indicators, source values, negative items.
    Column("explanation", Text, nullable=False),
    # The same target in the previous finalized round of the scheme ("" / NULL: none).
    Column("previous_round_id", String(40), nullable=False, server_default=""),
    Column("previous_grade", String(40), nullable=False, server_default=""),
    Column("previous_total_centi", BigInteger, nullable=True),
    Column("previous_rank", Integer, nullable=True),
    Column("computed_at", utc_datetime(), nullable=False),
    # ListResults: rank order within a round.
    Index("ix_results_tenant_round_id_rank_in_scope", "tenant", "round_id", "rank_in_scope", "target_id"),
)
