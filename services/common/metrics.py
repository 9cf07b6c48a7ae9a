"""Prometheus metrics shared by every process; served on PB_METRICS_PORT."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, start_http_server

GRPC_HANDLED = Counter(
    "grpc_server_handled_total", "RPCs completed on the server, by outcome.",
    ["grpc_service", "grpc_method", "grpc_code", "tenant"],
)
GRPC_SECONDS = Histogram(
    "grpc_server_handling_seconds", "Time to handle an RPC on the server.",
    ["grpc_service", "grpc_method", "tenant"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_UNSENT = Gauge("outbox_unsent_events", "Events written but not yet published.", ["producer"])
OUTBOX_OLDEST_AGE = Gauge("outbox_oldest_unsent_age_seconds", "Age of the oldest unpublished event.", ["producer"])
RELAY_PUBLISHED = Counter("relay_published_total", "Events the relay published with a broker confirm.", ["producer"])
RELAY_RETURNED = Counter(
    "relay_returned_total",
    "Events the broker returned unroutable although a consumer subscribes: kept unsent, retried.",
    ["producer"],
)
RELAY_UNROUTED = Counter(
    "relay_unrouted_total", "Events confirmed to no queue because no declared consumer subscribes to their type.",
    ["producer", "type"],
)
RELAY_ERRORS = Counter("relay_errors_total", "Failed relay rounds (broker or database down).", ["producer"])
EVENTS_HANDLED = Counter("events_handled_total", "Events consumed, by outcome.", ["consumer", "type", "outcome"])

_started: set[int] = set()


def serve_metrics(port: int) -> None:
    """Start the /metrics endpoint once per port (0 disables it)."""
    if port and port not in _started:
        start_http_server(port)
        _started.add(port)
