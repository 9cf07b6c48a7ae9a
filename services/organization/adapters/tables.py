"""The organization schema: tenants, units (materialized paths), members, posts, groupings."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Index, Integer, MetaData, String, Table, Text

from services.common.tables import NAMING, BigSerial, add_common_tables, utc_datetime

metadata = MetaData(naming_convention=NAMING)
common = add_common_tables(metadata)
outbox = common["outbox"]

tenants = Table(
    "tenants",
    metadata,
    Column("code", String(6), primary_key=True),
    Column("display_name", String(100), nullable=False),
    Column("city_code", String(6), nullable=False, index=True),
    Column("city_display_name", String(100), nullable=False, server_default=""),
    # JSON of TenantSettings: per-county rules as data.
    Column("settings", Text, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", utc_datetime(), nullable=False),
    Column("updated_at", utc_datetime(), nullable=False),
)

units = Table(
    "units",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("tenant", String(6), nullable=False),
    Column("type", String(20), nullable=False),
    Column("display_name", String(100), nullable=False),
    Column("parent_id", String(24), nullable=True),
    # "/<township>/<station>/<village>/": a subtree is a prefix match.
    Column("path", String(400).with_variant(String(400, collation="C"), "postgresql"), nullable=False),  # see 0001
    Column("depth", Integer, nullable=False),
    Column("state", String(12), nullable=False),
    Column("division_code", String(12), nullable=False, server_default=""),
    Column("weak_and_lax", Boolean, nullable=False, server_default="0"),
    Column("demonstration_site", Boolean, nullable=False, server_default="0"),
    Column("star_level", Integer, nullable=False, server_default="0"),
    Column("merged_into", String(24), nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", utc_datetime(), nullable=False),
    Column("updated_at", utc_datetime(), nullable=False),
    # Active members of the unit, kept by every write of members in the same transaction
    # (adapters/repositories/member_counts.py): ListUnits reads it instead of counting.
    Column("member_count", Integer, nullable=False, server_default="0"),
    Index("ix_units_tenant_path", "tenant", "path"),
    Index("ix_units_tenant_parent", "tenant", "parent_id"),
)

unit_history = Table(
    "unit_history",
    metadata,
    Column("id", BigSerial, primary_key=True, autoincrement=True),
    Column("tenant", String(6), nullable=False),
    Column("unit_id", String(24), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("at", utc_datetime(), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("detail", Text, nullable=False, server_default=""),
    Column("related_unit_id", String(24), nullable=True),
    Index("ix_unit_history_tenant_unit", "tenant", "unit_id", "id"),
)

members = Table(
    "members",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("tenant", String(6), nullable=False),
    Column("unit_id", String(24), nullable=False),
    Column("display_name", String(50), nullable=False),
    Column("gender", String(8), nullable=False),
    # Personal data sealed at rest (services.common.sealing); uniqueness asks the keyed digest.
    Column("id_card_sealed", String(100), nullable=False),
    Column("id_card_digest", String(64), nullable=False),
    Column("phone_sealed", String(100), nullable=False, server_default=""),
    Column("status", String(16), nullable=False),
    Column("category", String(20), nullable=False),
    Column("joined_on", Date, nullable=True),
    Column("education", String(20), nullable=False, server_default=""),
    Column("birth_date_sealed", String(100), nullable=False),
    Column("state", String(16), nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", utc_datetime(), nullable=False),
    Column("updated_at", utc_datetime(), nullable=False),
    Index("ix_members_tenant_unit", "tenant", "unit_id"),
    Index("uq_members_tenant_id_card_digest", "tenant", "id_card_digest", unique=True),
)

# Platform-wide: which county holds the active member of each ID number (by keyed digest), so
# that one person is not active in two counties. Deliberately outside row-level security; the
# repository only ever asks "is it held elsewhere", never which county holds it.
person_registry = Table(
    "person_registry",
    metadata,
    Column("id_card_digest", String(64), primary_key=True),
    Column("county", String(6), nullable=False),
    Column("member_id", String(24), nullable=False),
    Index("ix_person_registry_county_member", "county", "member_id"),
)

member_history = Table(
    "member_history",
    metadata,
    Column("id", BigSerial, primary_key=True, autoincrement=True),
    Column("tenant", String(6), nullable=False),
    Column("member_id", String(24), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("at", utc_datetime(), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("from_unit", String(200), nullable=False, server_default=""),
    Column("to_unit", String(200), nullable=False, server_default=""),
    Column("detail", Text, nullable=False, server_default=""),
    Index("ix_member_history_tenant_member", "tenant", "member_id", "id"),
)

posts = Table(
    "posts",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("tenant", String(6), nullable=False),
    Column("type", String(28), nullable=False),
    Column("unit_id", String(24), nullable=False),
    Column("member_id", String(24), nullable=False),
    Column("start_date", Date, nullable=False),
    # NULL: no fixed term; end_date NULL: the post is current.
    Column("term_end_date", Date, nullable=True),
    Column("end_date", Date, nullable=True),
    Column("end_reason", Text, nullable=False, server_default=""),
    Column("dispatching_organ", String(100), nullable=False, server_default=""),
    # The unit the post was first held in, kept when a merge moves it.
    Column("origin_unit_id", String(24), nullable=True),
    # The expiry sweep announces each term once.
    Column("expiry_announced", Boolean, nullable=False, server_default="0"),
    Column("created_at", utc_datetime(), nullable=False),
    # Grows with every change of the post (ended, moved by a merge): its etag (migration 0006).
    Column("version", Integer, nullable=False, server_default="1"),
    Index("ix_posts_tenant_unit", "tenant", "unit_id"),
    Index("ix_posts_tenant_member", "tenant", "member_id"),
)

alliances = Table(
    "alliances",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("tenant", String(6), nullable=False, index=True),
    Column("display_name", String(100), nullable=False),
    Column("lead_unit_id", String(24), nullable=False),
    Column("created_at", utc_datetime(), nullable=False),
)

alliance_members = Table(
    "alliance_members",
    metadata,
    Column("alliance_id", String(24), primary_key=True),
    Column("unit_id", String(24), primary_key=True),
    Column("tenant", String(6), nullable=False),
    Index("ix_alliance_members_tenant_unit", "tenant", "unit_id"),
)

pairings = Table(
    "pairings",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("tenant", String(6), nullable=False),
    Column("organ_display_name", String(100), nullable=False),
    Column("unit_id", String(24), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("created_at", utc_datetime(), nullable=False),
    Index("ix_pairings_tenant_unit", "tenant", "unit_id"),
)


# Long-running operations (AIP-151), such as a county import: kept after they finish so that the
# result can be read after a restart. `result` and `error` are JSON written by the service layer.
operations = Table(
    "operations",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("tenant", String(6), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("validate_only", Boolean, nullable=False, server_default="0"),
    Column("done", Boolean, nullable=False, server_default="0"),
    Column("rows_total", Integer, nullable=False, server_default="0"),
    Column("rows_done", Integer, nullable=False, server_default="0"),
    Column("result", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("created_at", utc_datetime(), nullable=False),
    Column("updated_at", utc_datetime(), nullable=False),
    Index("ix_operations_tenant_created", "tenant", "created_at"),
)
