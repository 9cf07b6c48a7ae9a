"""Events handed to notify's consumer as a broker would hand them (an envelope's wire form), for
the tests of messages made from events."""

from __future__ import annotations

import uuid

from google.protobuf import json_format
from partybuilding.common.v1.events_pb2 import EventEnvelope
from partybuilding.notify.v1 import notify_inbox_messages_pb2 as ipb
from partybuilding.organization.v1 import organization_events_pb2 as oev

from services.common.events.envelope import to_wire
from services.common.events.registry import consumer_for


def envelope(code: str, event_type: str, payload, event_id: str = "") -> EventEnvelope:
    env = EventEnvelope(event_id=event_id or str(uuid.uuid4()), type=event_type, tenant=code,
                        producer=event_type.split(".", 1)[0], schema_version=1, sequence=1)
    env.payload.update(json_format.MessageToDict(payload, preserving_proto_field_name=True))
    return env


def deliver(platform, env: EventEnvelope) -> str:
    """Hand one event to notify's consumer: applied, duplicate, parked or ignored."""
    return consumer_for(platform.runtime("notify")).deliver(to_wire(env))


def term_expiring(platform, code: str, unit, member=None, days_left: int = 30) -> EventEnvelope:
    """An organization.post_term_expiring for a secretary of `unit`, delivered; its envelope."""
    env = envelope(code, "organization.post_term_expiring", oev.PostTermExpiringEvent(
        post=f"tenants/{code}/posts/p-{uuid.uuid4().hex[:8]}", post_type="SECRETARY", unit=unit.name,
        member=member.name if member is not None else "", term_end_date="2027-01-04", days_left=days_left))
    assert deliver(platform, env) == "applied"
    return env


def inbox(platform, parent: str, md, **fields) -> ipb.ListInboxMessagesResponse:
    return platform.notify.ListInboxMessages(ipb.ListInboxMessagesRequest(parent=parent, **fields), metadata=md)
