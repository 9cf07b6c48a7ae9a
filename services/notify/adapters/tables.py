"""The notify service's tables: notices and each addressed unit's copy, beside the kernel's
common tables and the organization's directory (docs/directory.md)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, MetaData, String, Table, Text

from services.common.directory import add_directory_tables
from services.common.tables import NAMING, add_common_tables, utc_datetime

metadata = MetaData(naming_convention=NAMING)
common = add_common_tables(metadata)
outbox = common["outbox"]
# What this service knows of the organization, fed by its events: recipients resolve against it.
directory = add_directory_tables(metadata)

# A notice or task list as sent; never edited after sending (its etag is its version).
notices = Table(
    "notices",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("id", String(24), primary_key=True),
    # The sending unit; NULL for the county (县委组织部) itself.
    Column("sender_unit_id", String(40), nullable=True),
    Column("sender_display_name", String(100), nullable=False),
    Column("title", String(100), nullable=False),
    Column("body", Text, nullable=False),
    # JSON: the selectors as given ([{"subtree", "unit_types", "post_types"}]) and the report form.
    Column("selectors", Text, nullable=False),
    Column("requires_ack", Boolean, nullable=False),
    Column("requires_report", Boolean, nullable=False),
    Column("report_form", Text, nullable=False),
    Column("due_at", utc_datetime(), nullable=True),
    # A forwarded notice: the notice and the recipient (unit) whose copy it passes on.
    Column("parent_notice_id", String(24), nullable=True),
    Column("parent_unit_id", String(40), nullable=True),
    Column("note", Text, nullable=False, server_default=""),
    Column("recipient_count", Integer, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", utc_datetime(), nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Index("ix_notices_tenant_sender", "tenant", "sender_unit_id", "created_at"),
    Index("ix_notices_tenant_created", "tenant", "created_at"),
    Index("ix_notices_tenant_parent", "tenant", "parent_notice_id"),
)

# One row per addressed unit, frozen at send time (name, type, parent, addressees as they were).
notice_recipients = Table(
    "notice_recipients",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("notice_id", String(24), primary_key=True),
    Column("unit_id", String(40), primary_key=True),
    Column("unit_display_name", String(100), nullable=False),
    Column("unit_type", String(40), nullable=False),
    Column("parent_unit_id", String(40), nullable=True),
    Column("parent_display_name", String(100), nullable=False, server_default=""),
    # JSON [{"post_type", "member_id", "display_name"}]: the post holders it was addressed to.
    Column("addressees", Text, nullable=False),
    Column("sent_at", utc_datetime(), nullable=False),
    Column("read_at", utc_datetime(), nullable=True),
    Column("read_by", String(100), nullable=False, server_default=""),
    Column("acknowledged_at", utc_datetime(), nullable=True),
    Column("acknowledged_by", String(100), nullable=False, server_default=""),
    # JSON {"values": {field: value}, "aggregated": [...], "forwarded_reported", "forwarded_total"}.
    Column("report", Text, nullable=True),
    Column("reported_at", utc_datetime(), nullable=True),
    Column("reported_by", String(100), nullable=False, server_default=""),
    Column("forwarded_notice_id", String(24), nullable=True),
    # The etag: grows with every change of the copy (read, acknowledged, reported, forwarded).
    Column("version", Integer, nullable=False, server_default="1"),
    # The inbox: a unit's copies, unread first, newest first.
    Index("ix_notice_recipients_inbox", "tenant", "unit_id", "read_at", "sent_at"),
)
