"""The wire form of events: what a relay writes, a consumer reads back exactly; anything else is unreadable."""

from __future__ import annotations

import json

import pytest
from partybuilding.common.v1.events_pb2 import EventEnvelope

from services.common.events.envelope import UnreadableEvent, from_wire, to_wire


def _envelope() -> EventEnvelope:
    env = EventEnvelope(event_id="5f0c8a9e-0000-4000-8000-000000000001", type="organization.unit_moved",
                        tenant="610222", producer="organization", schema_version=1, sequence=12_345_678_901)
    env.occurred_at.FromJsonString("2026-11-23T08:30:00.123456Z")
    env.payload.update({"unit": "tenants/610222/units/u-1", "reason": "撤并", "nested": {"ids": ["a", "b"]}})
    return env


def test_a_relayed_envelope_reads_back_unchanged_as_dict_or_json_text():
    env = _envelope()
    assert from_wire(to_wire(env)) == env
    assert from_wire(json.dumps(to_wire(env), ensure_ascii=False)) == env
    assert to_wire(env)["sequence"] == "12345678901"  # int64 travels as a string


@pytest.mark.parametrize("change", [
    {"event_id": 5},
    {"sequence": "twelve"},
    {"occurred_at": "yesterday"},
    {"payload": ["not", "an", "object"]},
    {"schema_version": 2 ** 40},
    {"unexpected": "field"},
    {"tenant": ""},
])
def test_a_malformed_envelope_is_unreadable_not_a_crash(change):
    body = {**to_wire(_envelope()), **change}
    with pytest.raises(UnreadableEvent):
        from_wire(body)


def test_a_body_that_is_not_an_object_is_unreadable():
    for body in (b"\xff\xfe", "[1, 2]", 42, "not json"):
        with pytest.raises(UnreadableEvent):
            from_wire(body)
