"""The directory's tables (组织目录), added to the metadata of every service that keeps one.

Each row is the organization's resource as its latest applied snapshot left it: keyed by
(tenant, id), carrying the owner's `version` and when it was applied here. Enum fields hold the
proto value names (`VILLAGE`, `MEMBER_ACTIVE`), so a value added to a proto later is stored
without a migration.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, Boolean, Column, Date, Index, Integer, MetaData, String, Table

from services.common.tables import utc_datetime

# The consuming service's 0001 migration passes these to enable_row_level_security.
DIRECTORY_TABLE_NAMES = ("directory_tenants", "directory_units", "directory_members", "directory_posts")

# Byte order on PostgreSQL, as the organization's units.path: a LIKE prefix match uses the
# (tenant, path) index only under the C collation.
_PATH = String(400).with_variant(String(400, collation="C"), "postgresql")


@dataclass(frozen=True)
class DirectoryTables:
    tenants: Table
    units: Table
    members: Table
    posts: Table


def _key_columns() -> list[Column]:
    return [Column("tenant", String(6), primary_key=True), Column("id", String(40), primary_key=True)]


def _version_columns() -> list[Column]:
    return [Column("version", BigInteger, nullable=False), Column("applied_at", utc_datetime(), nullable=False)]


def add_directory_tables(metadata: MetaData) -> DirectoryTables:
    """Define the four directory tables in a consuming service's metadata."""
    tenants = Table(
        "directory_tenants", metadata,
        *_key_columns(),  # id = the county code, the same as tenant
        Column("display_name", String(100), nullable=False),
        Column("city_code", String(6), nullable=False),
        Column("city_display_name", String(100), nullable=False),
        Column("time_zone", String(64), nullable=False),
        Column("locale", String(16), nullable=False),
        *_version_columns(),
    )
    units = Table(
        "directory_units", metadata,
        *_key_columns(),
        Column("parent_id", String(40), nullable=True),
        # "/<township>/<station>/<village>/": a subtree is a prefix match.
        Column("path", _PATH, nullable=False),
        Column("depth", Integer, nullable=False),
        Column("type", String(40), nullable=False),
        Column("display_name", String(100), nullable=False),
        Column("state", String(40), nullable=False),
        Column("merged_into", String(40), nullable=True),
        Column("weak_and_lax", Boolean, nullable=False),
        Column("demonstration_site", Boolean, nullable=False),
        Column("star_level", Integer, nullable=False),
        Column("division_code", String(12), nullable=False),
        *_version_columns(),
        Index("ix_directory_units_tenant_path", "tenant", "path"),
        Index("ix_directory_units_tenant_parent", "tenant", "parent_id"),
    )
    members = Table(
        "directory_members", metadata,
        *_key_columns(),
        Column("unit_id", String(40), nullable=False),
        Column("display_name", String(50), nullable=False),
        Column("gender", String(40), nullable=False),
        Column("status", String(40), nullable=False),
        Column("category", String(40), nullable=False),
        Column("state", String(40), nullable=False),
        Column("age_band", String(20), nullable=False),
        *_version_columns(),
        Index("ix_directory_members_tenant_unit", "tenant", "unit_id"),
    )
    posts = Table(
        "directory_posts", metadata,
        *_key_columns(),
        Column("type", String(40), nullable=False),
        Column("unit_id", String(40), nullable=False),
        Column("member_id", String(40), nullable=False),
        Column("member_display_name", String(50), nullable=False),
        Column("start_date", Date, nullable=True),
        Column("term_end_date", Date, nullable=True),
        Column("end_date", Date, nullable=True),
        Column("current", Boolean, nullable=False),
        *_version_columns(),
        Index("ix_directory_posts_tenant_unit", "tenant", "unit_id"),
        Index("ix_directory_posts_tenant_member", "tenant", "member_id"),
    )
    return DirectoryTables(tenants, units, members, posts)
