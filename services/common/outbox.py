"""The transactional outbox: events are rows written in the same transaction as the change."""

from __future__ import annotations

import dataclasses
import json
import re
from types import ModuleType

from google.protobuf import json_format
from sqlalchemy import Connection, Table, insert

from services.common.clock import utcnow
from services.common.ids import new_event_id

SCHEMA_VERSION = 1


def event_type_name(producer: str, event) -> str:
    """UnitMoved -> organization.unit_moved."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", type(event).__name__).lower()
    return f"{producer}.{snake}"


class OutboxWriter:
    """Checks each domain event against its proto contract and stores it for the relay."""

    def __init__(self, table: Table, producer: str, contracts: ModuleType):
        self.table = table
        self.producer = producer
        self.contracts = contracts

    def payload(self, event) -> dict:
        message_cls = getattr(self.contracts, type(event).__name__ + "Event")
        # ParseDict refuses fields the contract lacks: a drifted event fails at the source.
        message = json_format.ParseDict(dataclasses.asdict(event), message_cls())
        return json_format.MessageToDict(message, preserving_proto_field_name=True)

    def write(self, conn: Connection, events: list[tuple[str, object]]) -> None:
        """Store (tenant, event) pairs in the order they happened."""
        if not events:
            return
        now = utcnow()
        conn.execute(
            insert(self.table),
            [
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
            ],
        )

