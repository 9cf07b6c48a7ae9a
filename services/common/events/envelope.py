"""The event envelope (事件信封): how an outbox row travels, and how a consumer reads it back.

On the wire an event is the JSON of `EventEnvelope` (MessageToDict, proto field names), so a
consumer in any language can read it and the typed payload is checked against its proto.
"""

from __future__ import annotations

import json
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message
from partybuilding.common.v1.events_pb2 import EventEnvelope

from services.common.clock import as_utc


class UnreadableEvent(Exception):
    """The body is not an envelope, or the payload breaks its contract: retrying cannot help."""


def envelope_from_outbox(row: Any) -> EventEnvelope:
    """The envelope of one outbox row (its tenant_seq becomes the envelope's sequence)."""
    env = EventEnvelope(
        event_id=row.event_id,
        type=row.type,
        tenant=row.tenant,
        producer=row.producer,
        schema_version=row.schema_version,
        sequence=row.tenant_seq,
    )
    env.occurred_at.FromDatetime(as_utc(row.occurred_at))
    env.payload.update(json.loads(row.payload))
    return env


def to_wire(env: EventEnvelope) -> dict:
    """The JSON-ready dict nameko's dispatcher serializes."""
    return json_format.MessageToDict(env, preserving_proto_field_name=True)


_SCALARS = {"event_id": str, "type": str, "tenant": str, "producer": str, "schema_version": int, "sequence": int}
_FIELDS = frozenset(_SCALARS) | {"occurred_at", "payload"}


def _well_formed(body: dict) -> EventEnvelope | None:
    """The envelope of a body as relays write it, without json_format's generic walk (which was a
    tenth of a consumer's CPU); None for anything else, which ParseDict then judges."""
    if not body.keys() <= _FIELDS:
        return None
    fields = {}
    for name, kind in _SCALARS.items():
        value = body.get(name)
        if value is None:
            continue
        if kind is int:
            if isinstance(value, bool) or not isinstance(value, int | str):
                return None
            value = int(value)  # proto JSON carries int64 as a string
        elif not isinstance(value, str):
            return None
        fields[name] = value
    occurred, payload = body.get("occurred_at"), body.get("payload")
    if not isinstance(occurred, str | None) or not isinstance(payload, dict | None):
        return None
    env = EventEnvelope(**fields)
    if occurred:
        env.occurred_at.FromJsonString(occurred)
    if payload:
        env.payload.update(payload)
    return env


def from_wire(body: Any) -> EventEnvelope:
    """Parse a received body (dict, or JSON text) into an envelope, or raise UnreadableEvent."""
    try:
        if isinstance(body, bytes | str):
            body = json.loads(body)
        if not isinstance(body, dict):
            raise UnreadableEvent(f"body is {type(body).__name__}, not an event envelope")
        try:
            env = _well_formed(body)
        except (ValueError, TypeError):
            env = None
        if env is None:
            env = json_format.ParseDict(body, EventEnvelope())
    except UnreadableEvent:
        raise
    except (ValueError, json_format.ParseError) as exc:
        raise UnreadableEvent(f"not an event envelope: {exc}") from None
    missing = [f for f in ("event_id", "type", "tenant", "producer") if not getattr(env, f)]
    if missing:
        raise UnreadableEvent(f"envelope lacks {', '.join(missing)}")
    return env


def typed_payload(env: EventEnvelope, message_cls: type[Message], ignore_unknown_fields: bool = False) -> Message:
    """The payload as its contract message (e.g. UnitMovedEvent); a drifted payload is unreadable.

    A consumer of another service's events passes `ignore_unknown_fields`: a field (or enum value)
    the producer added after this build is skipped, as the contract rules promise.
    """
    try:
        return json_format.ParseDict(json_format.MessageToDict(env.payload), message_cls(),
                                     ignore_unknown_fields=ignore_unknown_fields)
    except json_format.ParseError as exc:
        raise UnreadableEvent(f"payload does not match {message_cls.__name__}: {exc}") from None


def body_text(body: Any) -> str:
    """A received body as text, for the dead-letter store."""
    if isinstance(body, bytes):
        return body.decode("utf-8", "replace")
    if isinstance(body, str):
        return body
    try:
        return json.dumps(body, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(body)
