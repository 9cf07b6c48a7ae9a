"""The relay through a broker outage, a returned event and a recovery, with a stand-in broker (SQLite)."""

from __future__ import annotations

import threading
import time

import pytest
from prometheus_client import REGISTRY

from services.common.events.relay import OutboxRelay
from tests.integration.test_events_embedded import move, org, wait_for  # noqa: F401 - org is a fixture


class Broker:
    """Records what it confirms; while `down`, every publish fails; `unbound` types are returned."""

    def __init__(self):
        self.down = False
        self.unbound: set[str] = set()
        self.confirmed: list[dict] = []

    def publish(self, _producer, events):
        if self.down:
            raise ConnectionError("broker down")
        returned = [body["event_id"] for kind, body in events if kind in self.unbound]
        self.confirmed += [body for kind, body in events if kind not in self.unbound]
        return returned

    def ready(self) -> bool:
        return not self.down


def gauge(name: str) -> float:
    return REGISTRY.get_sample_value(name, {"producer": "organization"})


@pytest.fixture
def running(org):  # noqa: F811 - the imported fixture
    broker = Broker()
    # A backoff far longer than any wait below: only the probe can end it early.
    relay = OutboxRelay(org.engine, "organization", broker.publish, poll_interval=0.02, backoff_max=600,
                        ready=broker.ready, probe_interval=0.1)
    thread = threading.Thread(target=relay.run, daemon=True)
    thread.start()
    yield org, broker, relay
    relay.stop()
    thread.join(5)


def test_lag_gauges_rise_during_a_broker_outage_and_fall_after(running):
    rt, broker, _relay = running
    broker.down = True
    for i in range(5):
        move(rt, "610001", f"m{i}")
    wait_for(lambda: gauge("outbox_unsent_events") == 5)
    first_age = gauge("outbox_oldest_unsent_age_seconds")
    time.sleep(0.2)
    assert gauge("outbox_oldest_unsent_age_seconds") > first_age > 0
    broker.down = False
    wait_for(lambda: len(broker.confirmed) == 5)
    wait_for(lambda: gauge("outbox_unsent_events") == 0 and gauge("outbox_oldest_unsent_age_seconds") == 0)


def test_a_recovered_broker_does_not_wait_out_a_long_backoff(running):
    rt, broker, _relay = running
    broker.down = True
    move(rt, "610001", "during")
    # Enough failures for the backoff to pass a minute (0.02 s doubling, capped at 600 s).
    time.sleep(3)
    broker.down = False
    wait_for(lambda: broker.confirmed, timeout=10)
    assert [b["payload"]["reason"] for b in broker.confirmed] == ["during"]


def returned() -> float:
    return REGISTRY.get_sample_value("relay_returned_total", {"producer": "organization"}) or 0.0


def test_a_returned_event_stays_unsent_and_is_sent_once_its_queue_exists(running):
    rt, broker, _relay = running
    broker.unbound = {"organization.unit_moved"}
    before = returned()
    move(rt, "610001", "returned")
    wait_for(lambda: returned() > before)
    assert broker.confirmed == []
    broker.unbound = set()
    wait_for(lambda: broker.confirmed)
    assert [b["payload"]["reason"] for b in broker.confirmed] == ["returned"]
