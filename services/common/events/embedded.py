"""The embedded bus (内嵌事件总线): `make run` without RabbitMQ.

Each hosted service's relay hands its outbox rows to the in-process consumers subscribed to
them, through the same `EventConsumer.deliver` the nameko worker calls: same handlers, same
idempotency and dead letters, no broker. A row is marked sent only after every consumer has
applied or parked it, so a crash re-delivers rather than loses.
"""

from __future__ import annotations

import logging
import threading

from services.common.events.consumer import EventConsumer
from services.common.events.registry import consumer_for
from services.common.events.relay import OutboxRelay

log = logging.getLogger("partybuilding.events.embedded")


class EmbeddedBus:
    """Relay threads, one per producing service, delivering to in-process consumers."""

    def __init__(self, relays: list[OutboxRelay], consumers: list[EventConsumer]):
        self.relays, self.consumers = relays, consumers
        self.threads = [threading.Thread(target=r.run, name=f"relay-{r.producer}", daemon=True) for r in relays]

    def start(self) -> EmbeddedBus:
        for t in self.threads:
            t.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        for r in self.relays:
            r.stop()
        for t in self.threads:
            t.join(timeout)


def deliver_in_process(consumers: list[EventConsumer]):
    """A publish function that hands each event to every subscribed consumer, in order."""

    def publish(producer: str, events: list[tuple[str, dict]]) -> None:
        for event_type, body in events:
            for consumer in consumers:
                if (producer, event_type) in consumer.handlers:
                    consumer.deliver(body)

    return publish


def start_embedded_bus(runtimes: list, consumers: list[EventConsumer] | None = None,
                       retention_hours: int = 72, poll_interval: float = 0.1) -> EmbeddedBus:
    """Start relaying every runtime's outbox to the consumers the runtimes (or caller) declare."""
    consumers = list(consumers or []) + [c for c in (consumer_for(rt) for rt in runtimes) if c]
    publish = deliver_in_process(consumers)
    relays = [OutboxRelay(rt.engine, rt.name, publish, poll_interval=poll_interval,
                          retention_hours=retention_hours) for rt in runtimes]
    log.info("embedded event bus started", extra={"fields": {
        "producers": [rt.name for rt in runtimes], "consumers": [c.name for c in consumers]}})
    return EmbeddedBus(relays, consumers).start()
