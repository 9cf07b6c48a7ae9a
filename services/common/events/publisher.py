"""Publishing to RabbitMQ the way nameko's event dispatcher does, with batched broker confirms.

Exchange `<producer>.events` (topic, durable), routing key = event type, JSON body, persistent
delivery: a nameko `@event_handler(producer, type)` receives it. nameko's standalone dispatcher
opens a producer per call and waits for each confirm (~430 events/s here); the relay instead
keeps one connection, publishes a batch, then waits until the broker has confirmed all of it.
"""

from __future__ import annotations

import contextlib
import time

from kombu import Connection, Producer
from nameko.standalone.events import get_event_exchange


class PublishFailed(Exception):
    """The broker refused (nack) or did not confirm a batch in time: none of it counts as sent."""


class AmqpPublisher:
    """One connection and channel in confirm mode; `publish_batch` returns once all are confirmed."""

    def __init__(self, amqp_uri: str, confirm_timeout: float = 30.0):
        self.amqp_uri, self.confirm_timeout = amqp_uri, confirm_timeout
        self._conn: Connection | None = None
        self._declared: set[str] = set()

    def _open(self):
        if self._conn is None:
            conn = Connection(self.amqp_uri, connect_timeout=5, heartbeat=0)
            conn.ensure_connection(max_retries=1)
            channel = conn.channel()
            channel.confirm_select()
            self._acked = self._nacked = 0
            self._last_tag = 0
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            self._conn, self._channel = conn, channel
            self._producer = Producer(channel, serializer="json")
            self._declared = set()
        return self._conn

    def _on_ack(self, tag: int, multiple: bool) -> None:
        self._acked = tag if multiple else max(self._acked, tag)

    def _on_nack(self, tag: int, multiple: bool) -> None:
        self._nacked += 1
        self._acked = tag if multiple else max(self._acked, tag)

    def publish_batch(self, producer: str, events: list[tuple[str, dict]]) -> None:
        """Publish (type, body) pairs in order; raise unless the broker confirmed every one."""
        if not events:
            return
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
                                       delivery_mode=2,
                                       retry=False)
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

    def close(self) -> None:
        if self._conn is not None:
            # The connection may already be broken; it is dropped either way.
            with contextlib.suppress(Exception):
                self._conn.release()
            self._conn = None
