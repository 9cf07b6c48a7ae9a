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
    text,
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

# ------------------------------------------------------------ rounds (考核轮次)

rounds = Table(
    "rounds",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("scheme_id", String(40), nullable=False),
    Column("scheme_revision", Integer, nullable=False),
    Column("display_name", String(100), nullable=False),
    Column("period", String(10), nullable=False),
    # "" with path "/" for the whole county; else a unit and its path then.
    Column("scope_unit_id", String(40), nullable=False),
    Column("scope_path", Text, nullable=False),
    Column("stage_index", Integer, nullable=False),
    Column("state", String(12), nullable=False),
    Column("stage_started_at", utc_datetime(), nullable=False),
    Column("target_count", Integer, nullable=False),
    # The audit trail's last sequence number; writers of one round lock this row (FOR UPDATE).
    Column("last_event_seq", BigInteger, nullable=False, server_default="0"),
    Column("created_by", String(100), nullable=False),
    Column("created_at", utc_datetime(), nullable=False),
    Column("finalized_at", utc_datetime(), nullable=True),
    # The etag: grows with every advance.
    Column("version", Integer, nullable=False, server_default="1"),
    Index("ix_rounds_tenant_created_at", "tenant", "created_at"),
    Index("ix_rounds_tenant_scheme_id", "tenant", "scheme_id"),
)

round_targets = Table(
    "round_targets",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("round_id", String(40), primary_key=True),
    Column("target_id", String(40), primary_key=True),
    Column("unit_id", String(40), nullable=False),
    Column("member_id", String(40), nullable=False, server_default=""),
    Column("township_id", String(40), nullable=False),
    Column("display_name", String(200), nullable=False),
    # The unit's path when the round was created: a clerk's subtree is a prefix of it.
    Column("unit_path", Text, nullable=False),
    Index("ix_round_targets_tenant_round_id_unit_path", "tenant", "round_id", "unit_path"),
)

# The current value per (target, source, indicator); every change is also a round_events row.
round_scores = Table(
    "round_scores",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("round_id", String(40), primary_key=True),
    Column("target_id", String(40), primary_key=True),
    Column("source", String(40), primary_key=True),
    Column("indicator", String(40), primary_key=True),
    Column("value_centi", BigInteger, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("submitted_by", String(100), nullable=False),
    Column("submitted_at", utc_datetime(), nullable=False),
)

round_negative_items = Table(
    "round_negative_items",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("round_id", String(40), nullable=False),
    Column("target_id", String(40), nullable=False),
    Column("code", String(40), nullable=False),
    Column("evidence", Text, nullable=False),
    Column("recorded_by", String(100), nullable=False),
    Column("recorded_at", utc_datetime(), nullable=False),
    Column("withdrawn_by", String(100), nullable=False, server_default=""),
    Column("withdrawn_at", utc_datetime(), nullable=True),
    Column("withdraw_reason", Text, nullable=False, server_default=""),
    Index("ix_round_negative_items_tenant_round_id_target_id", "tenant", "round_id", "target_id"),
    # One active record of a code per target: a second RecordNegativeItem racing the first is ALREADY_EXISTS.
    Index("uq_round_negative_items_active", "tenant", "round_id", "target_id", "code", unique=True,
          sqlite_where=text("withdrawn_at IS NULL"), postgresql_where=text("withdrawn_at IS NULL")),
)

round_objections = Table(
    "round_objections",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("round_id", String(40), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("target_id", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("state", String(12), nullable=False),
    Column("decision_note", Text, nullable=False, server_default=""),
    # JSON {"source": ..., "values": {indicator: "8.50"}} of an UPHELD decision's adjustment, or "".
    Column("adjustment", Text, nullable=False, server_default=""),
    Column("filed_by", String(100), nullable=False),
    Column("filed_at", utc_datetime(), nullable=False),
    Column("resolved_by", String(100), nullable=False, server_default=""),
    Column("resolved_at", utc_datetime(), nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
)

# The audit trail: appended, never changed.
round_events = Table(
    "round_events",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("round_id", String(40), primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("actor_role", String(20), nullable=False),
    Column("at", utc_datetime(), nullable=False),
    Column("stage", String(40), nullable=False),
    Column("target_id", String(40), nullable=False, server_default=""),
    Column("summary", Text, nullable=False, server_default=""),
    Column("before", Text, nullable=False, server_default="{}"),
    Column("after", Text, nullable=False, server_default="{}"),
    Index("ix_round_events_tenant_round_id_target_id", "tenant", "round_id", "target_id"),
)

# ------------------------------------------------------------ rectification (问题台账)

cases = Table(
    "cases",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("id", String(24), primary_key=True),
    Column("unit_id", String(40), nullable=False),
    Column("title", String(100), nullable=False),
    # tenants/{t}/rounds/{id} of the round whose result opened it; "" when opened by hand.
    Column("source_round", String(80), nullable=False, server_default=""),
    Column("state", String(12), nullable=False),
    Column("supervision_days", Integer, nullable=False),
    # The county's date the next supervision (督办) falls on; NULL once closed.
    Column("next_supervision_on", Date, nullable=True),
    Column("opened_at", utc_datetime(), nullable=False),
    Column("opened_by", String(100), nullable=False),
    Column("closed_at", utc_datetime(), nullable=True),
    # The etag, and the lock every problem move takes (repositories/cases.py).
    Column("version", Integer, nullable=False, server_default="1"),
    Index("ix_cases_tenant_unit", "tenant", "unit_id"),
    Index("ix_cases_tenant_state_supervision", "tenant", "state", "next_supervision_on"),
)

case_problems = Table(
    "case_problems",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("case_id", String(24), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("description", Text, nullable=False),
    # JSON list of the measures (整改措施), read and written whole.
    Column("measures", Text, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("owner_display_name", String(50), nullable=False),
    Column("owner_member_id", String(40), nullable=False, server_default=""),
    Column("owner_subject", String(100), nullable=False, server_default=""),
    Column("state", String(20), nullable=False),
    Column("closure_requested_by", String(100), nullable=False, server_default=""),
    Column("closed_by", String(100), nullable=False, server_default=""),
    Column("closed_at", utc_datetime(), nullable=True),
    # problem_overdue is written once per problem: the sweep claims this flag.
    Column("overdue_announced", Boolean, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Index("ix_case_problems_tenant_state_deadline", "tenant", "state", "deadline"),
)

# A problem's history, appended: progress, closure requests, inspections.
case_notes = Table(
    "case_notes",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("case_id", String(24), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("kind", String(24), nullable=False),
    Column("text", Text, nullable=False),
    Column("author", String(100), nullable=False),
    Column("created_at", utc_datetime(), nullable=False),
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
    Index("ix_results_tenant_round_id_township_id", "tenant", "round_id", "township_id", "rank_in_scope", "target_id"),
)
