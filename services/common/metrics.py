"""Prometheus metrics shared by every process; served on PB_METRICS_PORT."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from prometheus_client import Counter, Gauge, Histogram, start_http_server

log = logging.getLogger("partybuilding.metrics")

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
NOTIFY_DELIVERIES = Counter(
    "notify_deliveries_total", "Messages the delivery process handled: sent, delivered, retried, failed, deferred.",
    ["channel", "outcome", "tenant"],
)



class KnownTenants:
    """The tenant codes a metric label may carry: only tenants that exist.

    A label made from whatever a request names lets any caller mint series at will (5,000
    made-up codes became 42,000 series and 118 MB of /metrics). Anything not known is `unknown`.
    The set is loaded from the services that own tenants, added to when a tenant is created
    here, and reloaded on a miss at most every `refresh_seconds` (a tenant created by another
    process shows as `unknown` until then).
    """

    def __init__(self, refresh_seconds: float = 30.0):
        self._codes: frozenset[str] = frozenset()
        self._loaders: dict[str, Callable[[], Iterable[str]]] = {}
        self._refresh_seconds = refresh_seconds
        self._next_refresh = 0.0
        self._lock = threading.Lock()

    def use(self, owner: str, loader: Callable[[], Iterable[str]]) -> None:
        """Read the known tenants from `loader` (the one of service `owner`) now and on later misses."""
        self._loaders[owner] = loader
        self.refresh()

    def add(self, code: str) -> None:
        with self._lock:
            self._codes = self._codes | {code}

    def refresh(self) -> None:
        codes: set[str] = set()
        for owner, loader in list(self._loaders.items()):
            try:
                codes.update(loader())
            except Exception:  # the database may be down: keep labelling with what we knew
                log.exception("could not reload the known tenants", extra={"fields": {"owner": owner}})
        with self._lock:
            self._codes = self._codes | codes

    def label(self, code: str | None) -> str:
        if not code:
            return "-"
        if code in self._codes:
            return code
        now = time.monotonic()
        if self._loaders and now >= self._next_refresh:
            self._next_refresh = now + self._refresh_seconds
            self.refresh()
        return code if code in self._codes else "unknown"


KNOWN_TENANTS = KnownTenants()


def tenant_label(code: str | None) -> str:
    """The `tenant` label for a code taken from a request: the code if it exists, else `unknown` ("-": none)."""
    return KNOWN_TENANTS.label(code)


_started: set[int] = set()


def serve_metrics(port: int) -> None:
    """Start the /metrics endpoint once per port (0 disables it)."""
    if port and port not in _started:
        # Claimed before starting: under eventlet one worker process sets up each consuming
        # service's container concurrently, and starting the server yields to the next one.
        _started.add(port)
        try:
            start_http_server(port)
        except OSError:
            _started.discard(port)
            raise
