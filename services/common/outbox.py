"""The transactional outbox: events are rows written in the same transaction as the change."""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from types import ModuleType

from google.protobuf import json_format
from sqlalchemy import Connection, Table, insert, text

from services.common.clock import utcnow
from services.common.ids import new_event_id

SCHEMA_VERSION = 1


def event_type_name(producer: str, event) -> str:
    """UnitMoved -> organization.unit_moved."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", type(event).__name__).lower()
    return f"{producer}.{snake}"


class OutboxWriter:
    """Checks each domain event against its proto contract and stores it for the relay.

    Each event gets its tenant's next number (`tenant_seq`) from the tenant's row in
    `outbox_sequences`, taken as the transaction's last statements: the row stays locked until
    commit, so the next writer of that tenant gets the next number only after this one has
    committed. Numbers are therefore in commit order, without gaps, and so is the outbox's `seq`
    within a tenant (its rows are inserted under the same lock).
    """

    def __init__(self, table: Table, producer: str, contracts: ModuleType):
        self.table = table
        self.sequences = table.metadata.tables["outbox_sequences"]
        self.producer = producer
        self.contracts = contracts
        # One round trip per tenant. Text, because SQLAlchemy cannot cache its on_conflict
        # constructs and would compile them on every commit; PostgreSQL and SQLite share the SQL.
        name = self.sequences.name
        self._take = text(
            f"INSERT INTO {name} (tenant, last_seq) VALUES (:tenant, :n) ON CONFLICT (tenant) "
            f"DO UPDATE SET last_seq = {name}.last_seq + excluded.last_seq RETURNING last_seq"
        )

    def payload(self, event) -> dict:
        message_cls = getattr(self.contracts, type(event).__name__ + "Event")
        # ParseDict refuses fields the contract lacks: a drifted event fails at the source.
        message = json_format.ParseDict(dataclasses.asdict(event), message_cls())
        return json_format.MessageToDict(message, preserving_proto_field_name=True)

    def write(self, conn: Connection, events: list[tuple[str, object]]) -> None:
        """Store (tenant, event) pairs in the order they happened; call it last before commit."""
        if not events:
            return
        now = utcnow()
        # Everything that can fail or take time happens before the tenant's counter is locked.
        rows = [
            {
                "event_id": new_event_id(),
                "tenant": tenant,
                "type": event_type_name(self.producer, event),
                "producer": self.producer,
                "schema_version": SCHEMA_VERSION,
                "payload": json.dumps(self.payload(event), ensure_ascii=False),
                "occurred_at": now,
            }
            for tenant, event in events
        ]
        counts = Counter(row["tenant"] for row in rows)
        after = {}
        # Sorted: two transactions that both emit for tenants A and B lock A first, never deadlock.
        for tenant in sorted(counts):
            last = conn.execute(self._take, {"tenant": tenant, "n": counts[tenant]}).scalar_one()
            after[tenant] = last - counts[tenant]
        for row in rows:
            after[row["tenant"]] += 1
            row["tenant_seq"] = after[row["tenant"]]
        conn.execute(insert(self.table), rows)

