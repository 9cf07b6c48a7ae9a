"""The points schema: the kernel's common tables, the organization directory, rule sets.

The ledger's and the exchange's tables are appended below by their own sections.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

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

# ------------------------------------------------------------ ledger (党员积分台账)

# One row per entry, never deleted; everything but status, reversed_by and the decision columns is
# covered by the entry's hash (domain/chain.py). seq is its place in the county's hash chain.
entries = Table(
    "entries",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("batch_id", String(40), nullable=False, server_default=""),
    Column("member_id", String(40), nullable=False),
    Column("unit_id", String(40), nullable=False),
    Column("rule_set_id", String(40), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("rule_code", String(40), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("requested_points", Integer, nullable=False),
    Column("points", Integer, nullable=False),
    Column("exchange_points", Integer, nullable=False),
    Column("capped", Boolean, nullable=False),
    Column("cap_reason_zh", Text, nullable=False, server_default=""),
    Column("cap_reason_en", Text, nullable=False, server_default=""),
    Column("occurred_at", utc_datetime(), nullable=False),
    Column("year", Integer, nullable=False),
    Column("status", String(10), nullable=False),
    Column("approval_required", Boolean, nullable=False),
    Column("reverses", String(40), nullable=True),
    Column("reversed_by", String(40), nullable=True),
    Column("note", Text, nullable=False, server_default=""),
    Column("evidence_ref", String(200), nullable=False, server_default=""),
    Column("recorded_by", String(100), nullable=False),
    Column("decided_by", String(100), nullable=False, server_default=""),
    Column("decision_reason", Text, nullable=False, server_default=""),
    Column("decided_at", utc_datetime(), nullable=True),
    Column("created_at", utc_datetime(), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    UniqueConstraint("tenant", "seq"),
    # An entry is reversed at most once, even by two racing ReverseEntry calls.
    UniqueConstraint("tenant", "reverses"),
    Index("ix_entries_member_year", "tenant", "member_id", "year", "seq"),
    Index("ix_entries_batch", "tenant", "batch_id"),
)

# Approvals and rejections of pending entries: links of the same chain (one per entry).
entry_decisions = Table(
    "entry_decisions",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("entry_id", String(40), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("decision", String(10), nullable=False),
    Column("decided_by", String(100), nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    Column("decided_at", utc_datetime(), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("tenant", "seq"),
)

# The head of each county's chain, locked FOR UPDATE by every append: a county's ledger writes
# are serial, which is what a chain needs.
chain_heads = Table(
    "chain_heads",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

# The balance projection: a member-year's base plus its counted points, with the pending
# reservations; written in the entry's transaction, never edited otherwise. No row: the base.
balances = Table(
    "balances",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("member_id", String(40), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("base", Integer, nullable=False),
    Column("balance", Integer, nullable=False),
    Column("pending_up", Integer, nullable=False, server_default="0"),
    Column("pending_down", Integer, nullable=False, server_default="0"),
    Column("pending_count", Integer, nullable=False, server_default="0"),
    Column("status", String(40), nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Index("ix_balances_year", "tenant", "year", "balance"),
)

# Per member, year and rule: counted points and quantity, and the points pending entries reserve
# (the yearly cap counts both).
rule_totals = Table(
    "rule_totals",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("member_id", String(40), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("rule_code", String(40), primary_key=True),
    Column("points", Integer, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("reserved", Integer, nullable=False, server_default="0"),
)

# Threshold crossings: the primary key keeps one crossed (and one cleared) event per member,
# threshold and year.
threshold_crossings = Table(
    "threshold_crossings",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("member_id", String(40), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("threshold_code", String(40), primary_key=True),
    Column("crossed_entry_id", String(40), nullable=False),
    Column("crossed_at", utc_datetime(), nullable=False),
    Column("cleared_entry_id", String(40), nullable=True),
    Column("cleared_at", utc_datetime(), nullable=True),
)

# ------------------------------------------------------------ exchange (爱心超市)

stores = Table(
    "stores",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("id", String(24), primary_key=True),
    # The village or community it serves (the organization's unit id).
    Column("unit_id", String(40), nullable=False),
    Column("display_name", String(100), nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_by", String(100), nullable=False, server_default=""),
    Column("created_at", utc_datetime(), nullable=False),
    Index("ix_stores_tenant_unit", "tenant", "unit_id"),
)

goods = Table(
    "goods",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("id", String(24), primary_key=True),
    Column("store_id", String(24), nullable=False),
    Column("display_name", String(100), nullable=False),
    Column("price_points", BigInteger, nullable=False),
    # Decremented only by `stock >= n` updates; the check is the database's second wall.
    Column("stock", BigInteger, nullable=False),
    Column("on_sale", Boolean, nullable=False, server_default="1"),
    # The etag: grows with what UpdateGoods changes, not with every redemption.
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", utc_datetime(), nullable=False),
    Column("updated_at", utc_datetime(), nullable=False),
    CheckConstraint("stock >= 0", name="ck_goods_stock_not_negative"),
    Index("ix_goods_tenant_store", "tenant", "store_id", "id"),
)

goods_restocks = Table(
    "goods_restocks",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("id", String(24), primary_key=True),
    Column("goods_id", String(24), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("stock_after", BigInteger, nullable=False),
    Column("restocked_by", String(100), nullable=False),
    Column("restocked_at", utc_datetime(), nullable=False),
    Index("ix_goods_restocks_tenant_goods", "tenant", "goods_id"),
)

# A projection of credits and redemptions, locked while redeeming; spendable = earned - spent.
wallets = Table(
    "wallets",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("member_id", String(40), primary_key=True),
    Column("earned", BigInteger, nullable=False, server_default="0"),
    Column("spent", BigInteger, nullable=False, server_default="0"),
    Column("version", Integer, nullable=False, server_default="0"),
    Column("updated_at", utc_datetime(), nullable=False),
)

# One row per ledger entry that credited a wallet: the key makes a second credit of it a no-op.
wallet_credits = Table(
    "wallet_credits",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("entry_id", String(40), primary_key=True),
    Column("member_id", String(40), nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("credited_at", utc_datetime(), nullable=False),
)

redemptions = Table(
    "redemptions",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("id", String(24), primary_key=True),
    Column("member_id", String(40), nullable=False),
    # The member's unit when redeeming: a clerk's listing shows what happened in their subtree.
    Column("member_unit_id", String(40), nullable=False),
    Column("store_id", String(24), nullable=False),
    Column("goods_id", String(24), nullable=False),
    Column("goods_display_name", String(100), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("price_points", BigInteger, nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("state", String(12), nullable=False),
    Column("note", String(200), nullable=False, server_default=""),
    Column("redeemed_by", String(100), nullable=False),
    Column("redeemed_at", utc_datetime(), nullable=False),
    Column("cancelled_by", String(100), nullable=False, server_default=""),
    Column("cancelled_at", utc_datetime(), nullable=True),
    Column("cancel_reason", String(200), nullable=False, server_default=""),
    Index("ix_redemptions_tenant_member", "tenant", "member_id", "id"),
    Index("ix_redemptions_tenant_store", "tenant", "store_id", "id"),
)
