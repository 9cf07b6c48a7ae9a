"""Notify's queues are part of the topology every relay declares before it publishes: the points,
assessment and organization events notify turns into messages are bound to its queues, so an
event published while no notify worker runs waits in its queue instead of being dropped."""

from __future__ import annotations

from services.common.events.registry import registered_topology
from services.notify.domain.templates import DEFAULTS, FIELDS
from services.notify.service_layer.event_messages import EVENTS
from services.platform import SERVICES


def test_notifys_queues_are_bound_to_the_exchanges_of_each_producer_it_turns_into_messages():
    topology = registered_topology(SERVICES)
    bound = {(b.producer, b.event_type) for b in topology.bindings if b.consumer == "notify"}
    assert set(EVENTS) <= bound
    for producer in ("points", "assessment", "organization"):
        assert producer in topology.producers and any(p == producer for p, _ in EVENTS)
        assert {t for p, t in EVENTS if p == producer} <= topology.subscribed(producer)


def test_every_consumed_event_type_ships_a_zh_cn_inbox_and_sms_text_over_declared_fields():
    for _, event_type in EVENTS:
        assert FIELDS[event_type]
        for channel in ("INBOX", "SMS"):
            assert (event_type, channel) in {(e, c.value) for e, c in DEFAULTS}, (event_type, channel)
