"""The notify service's tables: notices and each addressed unit's copy, messages on every
channel and the tenant's settings, beside the kernel's common tables and the organization's
directory (docs/directory.md)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
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

# One message to one recipient on one channel (domain/messages.py), stored before delivery.
messages = Table(
    "messages",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("id", String(24), primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("recipient_kind", String(16), nullable=False),
    Column("recipient_id", String(40), nullable=False),
    Column("recipient_display_name", String(100), nullable=False, server_default=""),
    Column("address", String(500), nullable=False, server_default=""),
    Column("source_kind", String(16), nullable=False),
    Column("source_key", String(200), nullable=False),
    Column("source_type", String(80), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("status_reason", Text, nullable=False, server_default=""),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("created_at", utc_datetime(), nullable=False),
    Column("next_attempt_at", utc_datetime(), nullable=True),
    Column("sent_at", utc_datetime(), nullable=True),
    Column("delivered_at", utc_datetime(), nullable=True),
    Column("read_at", utc_datetime(), nullable=True),
    Column("notice_id", String(24), nullable=True),
    Column("unit_id", String(40), nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
    # At most one message per source, channel and recipient, however often the source repeats.
    UniqueConstraint("tenant", "source_key", "channel", "recipient_kind", "recipient_id", name="uq_messages_dedupe"),
    # A recipient's inbox: unread first, newest first.
    Index("ix_messages_inbox", "tenant", "recipient_kind", "recipient_id", "channel", "read_at", "created_at"),
    # The delivery process: what is queued on a channel and due.
    Index("ix_messages_queue", "channel", "status", "next_attempt_at"),
    Index("ix_messages_notice", "tenant", "notice_id", "unit_id"),
)

# The tenant's notify settings as one JSON document (domain/settings.py reads it); etag = version.
notify_settings = Table(
    "notify_settings",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("doc", Text, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("updated_by", String(100), nullable=False, server_default=""),
    Column("updated_at", utc_datetime(), nullable=False),
)

# Another government system's endpoint that the county's events are POSTed to (docs/notify-channels.md).
webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("id", String(24), primary_key=True),
    Column("display_name", String(100), nullable=False),
    Column("url", String(500), nullable=False),
    # JSON list of event types and prefixes ("assessment.*"); [] receives every event.
    Column("event_types", Text, nullable=False),
    # The HMAC-SHA256 key, sealed with the data key; answered once, at creation.
    Column("secret_sealed", String(200), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("disabled_reason", Text, nullable=False, server_default=""),
    Column("consecutive_failures", Integer, nullable=False, server_default="0"),
    Column("created_at", utc_datetime(), nullable=False),
    Column("updated_at", utc_datetime(), nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
)

# One call of a channel for one message: the webhook delivery log, and what rate limits count.
delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("id", String(24), primary_key=True),
    Column("message_id", String(24), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("recipient_id", String(40), nullable=False),  # the endpoint's id for a webhook
    Column("event_type", String(80), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("outcome", String(16), nullable=False),  # DELIVERED, SENT, RETRY, FAILED
    Column("error", Text, nullable=False, server_default=""),
    Column("attempted_at", utc_datetime(), nullable=False),
    Index("ix_delivery_attempts_rate", "tenant", "channel", "attempted_at"),
    Index("ix_delivery_attempts_recipient", "tenant", "recipient_id", "attempted_at"),
)

# The SMS sink: what a county without a gateway would have texted (the phone masked).
sms_sink = Table(
    "sms_sink",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("id", String(24), primary_key=True),
    Column("message_id", String(24), nullable=False),
    Column("phone_masked", String(11), nullable=False),
    Column("text", Text, nullable=False),
    Column("segments", Integer, nullable=False),
    Column("created_at", utc_datetime(), nullable=False),
    Index("ix_sms_sink_tenant_created", "tenant", "created_at"),
)

# A county's own message template for one event type, channel and locale (PutTemplate); without
# a row the shipped zh-CN default answers (domain/templates.py). etag = version.
notify_templates = Table(
    "notify_templates",
    metadata,
    Column("tenant", String(6), primary_key=True),
    Column("event_type", String(80), primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("locale", String(8), primary_key=True),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("updated_by", String(100), nullable=False, server_default=""),
    Column("updated_at", utc_datetime(), nullable=False),
)
