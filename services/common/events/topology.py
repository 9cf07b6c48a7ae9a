"""The broker topology (消息拓扑): every consumer's queues and bindings, declared before events flow.

RabbitMQ drops a message that no queue is bound for, so a consumer's queues must exist before
the first event it wants is published, not from the moment its worker first starts. Queues are
declared exactly as nameko's `@event_handler(producer, type)` (SERVICE_POOL, reliable delivery)
declares them, so `pbctl events declare`, the relay, `run-distributed` and the worker all
declare the same thing and a later declare is a no-op.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kombu import Connection, Queue
from nameko.standalone.events import get_event_exchange


def handler_method_name(event_type: str) -> str:
    """The worker's entrypoint name for an event type (part of the queue name)."""
    return "on_" + event_type.replace(".", "_").replace("-", "_")


def queue_name(consumer: str, producer: str, event_type: str) -> str:
    """nameko's SERVICE_POOL queue name for `consumer`'s handler of (producer, type)."""
    return f"evt-{producer}-{event_type}--{consumer}.{handler_method_name(event_type)}"


@dataclass(frozen=True)
class Binding:
    consumer: str
    producer: str
    event_type: str

    @property
    def queue(self) -> str:
        return queue_name(self.consumer, self.producer, self.event_type)


@dataclass(frozen=True)
class Topology:
    """The exchanges of `producers` and one durable queue per binding."""

    producers: tuple[str, ...]
    bindings: tuple[Binding, ...]

    @classmethod
    def of(cls, producers: Iterable[str], consumers: Iterable[tuple[str, Iterable[tuple[str, str]]]]) -> Topology:
        """From producers and (consumer name, [(producer, type), ...]) pairs."""
        bindings = tuple(sorted({Binding(name, p, t) for name, subs in consumers for p, t in subs},
                                key=lambda b: (b.producer, b.event_type, b.consumer)))
        return cls(tuple(sorted(set(producers) | {b.producer for b in bindings})), bindings)

    def subscribed(self, producer: str) -> frozenset[str]:
        """Event types of `producer` that at least one declared queue receives."""
        return frozenset(b.event_type for b in self.bindings if b.producer == producer)

    def declare_on(self, channel) -> None:
        """Declare exchanges and queues on an open channel (idempotent)."""
        for producer in self.producers:
            get_event_exchange(producer, {})(channel).declare()
        for b in self.bindings:
            Queue(b.queue, exchange=get_event_exchange(b.producer, {}), routing_key=b.event_type,
                  durable=True, auto_delete=False, exclusive=False)(channel).declare()

    def declare(self, amqp_uri: str) -> None:
        """Connect, declare everything, disconnect."""
        with Connection(amqp_uri, connect_timeout=5) as conn:
            conn.ensure_connection(max_retries=1)
            self.declare_on(conn.channel())
