"""Tables every service keeps in its own schema: outbox, idempotency keys, consumer bookkeeping."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

# SQLite only auto-increments an INTEGER PRIMARY KEY.
BigSerial = BigInteger().with_variant(Integer(), "sqlite")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Tables whose rows belong to one tenant and so get row-level security on PostgreSQL.
TENANT_COLUMN = "tenant"


def utc_datetime() -> DateTime:
    return DateTime(timezone=True)


def add_common_tables(metadata: MetaData) -> dict[str, Table]:
    """Define the shared tables in a service's metadata (each service migrates its own copy)."""
    outbox = Table(
        "outbox",
        metadata,
        # The row's id; within a tenant it also follows commit order (see tenant_seq).
        Column("seq", BigSerial, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("tenant", String(6), nullable=False),
        Column("type", String(80), nullable=False),
        Column("producer", String(40), nullable=False),
        Column("schema_version", Integer, nullable=False, server_default="1"),
        Column("payload", Text, nullable=False),
        Column("occurred_at", utc_datetime(), nullable=False),
        Column("sent_at", utc_datetime(), nullable=True),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("last_error", Text, nullable=True),
        # The tenant's event number, 1, 2, 3... in commit order (the envelope's `sequence`):
        # taken from outbox_sequences as the transaction's last statement, see OutboxWriter.
        Column("tenant_seq", BigInteger, nullable=False),
        UniqueConstraint("tenant", "tenant_seq"),
        Index(
            "ix_outbox_unsent",
            "tenant",
            "seq",
            postgresql_where=text("sent_at IS NULL"),
            sqlite_where=text("sent_at IS NULL"),
        ),
        Index("ix_outbox_sent_at", "sent_at"),
    )
    outbox_sequences = Table(
        "outbox_sequences",
        metadata,
        # One row per tenant: its last tenant_seq. Updating it locks the row until commit, so a
        # tenant's writers take numbers in the order they commit.
        Column("tenant", String(6), primary_key=True),
        Column("last_seq", BigInteger, nullable=False),
    )
    idempotency_keys = Table(
        "idempotency_keys",
        metadata,
        Column("tenant", String(6), primary_key=True),
        Column("method", String(60), primary_key=True),
        Column("request_id", String(100), primary_key=True),
        Column("fingerprint", String(64), nullable=False),
        Column("resource_name", String(200), nullable=False),
        Column("created_at", utc_datetime(), nullable=False),
    )
    processed_events = Table(
        "processed_events",
        metadata,
        Column("consumer", String(80), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("processed_at", utc_datetime(), nullable=False),
    )
    dead_letters = Table(
        "dead_letters",
        metadata,
        Column("id", BigSerial, primary_key=True, autoincrement=True),
        Column("consumer", String(80), nullable=False),
        Column("event_id", String(36), nullable=True),
        Column("type", String(80), nullable=True),
        Column("tenant", String(6), nullable=True),
        Column("body", Text, nullable=False),
        Column("reason", Text, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("parked_at", utc_datetime(), nullable=False),
        Column("replayed_at", utc_datetime(), nullable=True),
    )
    archived_tenants = Table(
        "archived_tenants",
        metadata,
        # A county the operator offboarded (pbctl tenant offboard): every RPC naming it is refused
        # until `pbctl tenant purge` deletes its rows after purge_after. Written in every service
        # at once, so each refuses on its own without asking another (services/common/archive.py).
        Column("tenant", String(6), primary_key=True),
        Column("archived_at", utc_datetime(), nullable=False),
        Column("archived_by", String(100), nullable=False),
        Column("purge_after", utc_datetime(), nullable=False),
    )
    return {
        "archived_tenants": archived_tenants,
        "outbox": outbox,
        "outbox_sequences": outbox_sequences,
        "idempotency_keys": idempotency_keys,
        "processed_events": processed_events,
        "dead_letters": dead_letters,
    }
