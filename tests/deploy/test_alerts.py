"""The alert rules name only metrics the processes export."""

from __future__ import annotations

import re

from prometheus_client import REGISTRY

import services.common.events.relay  # noqa: F401 - registers what the relay exports
import services.common.metrics  # noqa: F401
from services.deployment.alerts import rules

SUFFIXES = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_sum", "_count")}
FUNCTIONS = {"sum", "by", "rate", "increase", "max", "histogram_quantile", "le", "namespace", "outcome",
             "grpc_code", "grpc_service", "producer", "consumer", "channel", "tenant"}


def exported() -> set[str]:
    names = set()
    for family in REGISTRY.collect():
        names |= {family.name + s for s in SUFFIXES.get(family.type, ("",))}
    return names


def test_every_metric_an_alert_reads_is_exported():
    used = set()
    for rule in rules("partybuilding"):
        expr = re.sub(r'"[^"]*"', "", rule["expr"])  # label values
        expr = re.sub(r"\[[0-9]+m\]", "", expr)  # ranges
        used |= {w for w in re.findall(r"[a-z_][a-z0-9_]*", expr) if w not in FUNCTIONS}
    assert used <= exported()
    assert {"grpc_server_handled_total", "grpc_server_handling_seconds_bucket", "outbox_oldest_unsent_age_seconds",
            "relay_errors_total", "events_handled_total", "notify_deliveries_total"} <= used

