"""Publishing to RabbitMQ the way nameko's event dispatcher does, with batched broker confirms.

Exchange `<producer>.events` (topic, durable), routing key = event type, JSON body, persistent
delivery: a nameko `@event_handler(producer, type)` receives it. nameko's standalone dispatcher
opens a producer per call and waits for each confirm (~430 events/s here); the relay instead
keeps one connection, publishes a batch, then waits until the broker has confirmed all of it.

Every message is `mandatory`: RabbitMQ hands back (basic.return, before its confirm) a message
no queue is bound for, instead of confirming and dropping it. A returned event of a type the
topology says some consumer subscribes to is reported to the relay as not sent (its queue is
missing: the topology is declared again before the next publish); one that no declared
consumer wants is counted in `relay_unrouted_total` and counts as sent.
"""

from __future__ import annotations

import contextlib
import time

from kombu import Connection, Producer
from nameko.standalone.events import get_event_exchange

from services.common.events.topology import Topology
from services.common.metrics import RELAY_UNROUTED


class PublishFailed(Exception):
    """The broker refused (nack) or did not confirm a batch in time: none of it counts as sent."""


class AmqpPublisher:
    """One connection and channel in confirm mode; `publish_batch` returns once all are confirmed."""

    def __init__(self, amqp_uri: str, topology: Topology | None = None, confirm_timeout: float = 30.0):
        """Without a topology every returned event is reported as not sent."""
        self.amqp_uri, self.topology, self.confirm_timeout = amqp_uri, topology, confirm_timeout
        self._conn: Connection | None = None
        self._declared: set[str] = set()
        self._returned: list[tuple[str, str]] = []

    def _open(self):
        if self._conn is None:
            conn = Connection(self.amqp_uri, connect_timeout=5, heartbeat=0)
            # One attempt, no sleep: the relay's probe calls this once a second while the broker is down.
            conn.ensure_connection(max_retries=1, interval_start=0)
            channel = conn.channel()
            channel.confirm_select()
            self._acked = self._nacked = 0
            self._last_tag = 0
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            channel.events["basic_return"].add(self._on_return)
            self._conn, self._channel = conn, channel
            self._producer = Producer(channel, serializer="json")
            self._declared = set()
            if self.topology is not None:
                # Before the first publish on every connection: a consumer's queues exist before
                # any event it subscribes to leaves.
                self.topology.declare_on(channel)
                self._declared.update(f"{p}.events" for p in self.topology.producers)
        return self._conn

    def _on_return(self, exc, exchange: str, routing_key: str, message) -> None:
        self._returned.append((message.properties.get("message_id", ""), routing_key))

    def ready(self) -> bool:
        """Whether the broker takes a connection now (a cheap probe between retries)."""
        try:
            self._open()
            return True
        except Exception:  # noqa: BLE001 - any failure means: not yet
            self.close()
            return False

    def _on_ack(self, tag: int, multiple: bool) -> None:
        self._acked = tag if multiple else max(self._acked, tag)

    def _on_nack(self, tag: int, multiple: bool) -> None:
        self._nacked += 1
        self._acked = tag if multiple else max(self._acked, tag)

    def publish_batch(self, producer: str, events: list[tuple[str, dict]]) -> list[str]:
        """Publish (type, body) pairs in order; raise unless the broker confirmed every one.

        Returns the event_ids the broker returned unroutable although a consumer subscribes
        to their type: those are not sent.
        """
        if not events:
            return []
        self._returned = []
        try:
            conn = self._open()
            exchange = get_event_exchange(producer, {})
            if exchange.name not in self._declared:
                # nameko's dispatcher does not declare the exchange; publishing to a missing one
                # would close the channel.
                exchange(self._channel).declare()
                self._declared.add(exchange.name)
            nacked_before = self._nacked
            for event_type, body in events:
                self._producer.publish(body, exchange=exchange, routing_key=event_type,
                                       delivery_mode=2, mandatory=True,
                                       message_id=body.get("event_id"), retry=False)
            self._last_tag += len(events)
            deadline = time.monotonic() + self.confirm_timeout
            while self._acked < self._last_tag:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise PublishFailed(f"broker confirmed {self._acked} of {self._last_tag}")
                conn.drain_events(timeout=remaining)
            if self._nacked != nacked_before:
                raise PublishFailed("broker nacked part of the batch")
        except Exception:
            self.close()
            raise
        return self._kept(producer)

    def _kept(self, producer: str) -> list[str]:
        subscribed = self.topology.subscribed(producer) if self.topology is not None else None
        kept = []
        for event_id, event_type in self._returned:
            if subscribed is None or event_type in subscribed:
                kept.append(event_id)
            else:
                RELAY_UNROUTED.labels(producer, event_type).inc()
        if kept:
            # A subscribed queue is gone (deleted by hand, broker reset): the next connection
            # declares the topology again before it publishes.
            self.close()
        return kept

    def close(self) -> None:
        if self._conn is not None:
            # The connection may already be broken; it is dropped either way.
            with contextlib.suppress(Exception):
                self._conn.release()
            self._conn = None
