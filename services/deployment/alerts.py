"""Alert rules (a PrometheusRule for the Prometheus Operator) on the metrics the processes export.

Metric names are those of services/common/metrics.py (tests/deploy/test_alerts.py checks each
one is exported). Every expression is scoped to the environment's namespace.
"""

from __future__ import annotations

from services.deployment.meta import header

# Codes that mean the platform failed, not that the caller asked for something refused.
SERVER_FAULT_CODES = "INTERNAL|UNKNOWN|UNAVAILABLE|DATA_LOSS|DEADLINE_EXCEEDED"


def rules(namespace: str) -> list[dict]:
    ns = f'namespace="{namespace}"'

    def rule(name: str, expr: str, for_: str, severity: str, summary: str) -> dict:
        return {"alert": name, "expr": expr, "for": for_, "labels": {"severity": severity},
                "annotations": {"summary": summary}}

    return [
        rule("PartybuildingGrpcErrorRatio",
             f'sum by (grpc_service) (rate(grpc_server_handled_total{{{ns},grpc_code=~"{SERVER_FAULT_CODES}"}}[5m]))'
             f" / sum by (grpc_service) (rate(grpc_server_handled_total{{{ns}}}[5m])) > 0.01",
             "10m", "warning", "{{ $labels.grpc_service }}: over 1% of calls fail on the server side"),
        rule("PartybuildingGrpcLatencyP99",
             f"histogram_quantile(0.99, sum by (grpc_service, le) "
             f"(rate(grpc_server_handling_seconds_bucket{{{ns}}}[5m]))) > 0.5",
             "10m", "warning", "{{ $labels.grpc_service }}: p99 latency above 500 ms"),
        rule("PartybuildingRelayLag",
             f"max by (producer) (outbox_oldest_unsent_age_seconds{{{ns}}}) > 120",
             "5m", "critical", "{{ $labels.producer }}: an event has waited over 2 minutes in the outbox"),
        rule("PartybuildingRelayErrors",
             f"sum by (producer) (increase(relay_errors_total{{{ns}}}[10m])) > 5",
             "0m", "warning", "{{ $labels.producer }}: relay rounds keep failing (broker or database down)"),
        rule("PartybuildingDeadLetters",
             f'sum by (consumer) (increase(events_handled_total{{{ns},outcome="parked"}}[15m])) > 0',
             "0m", "warning", "{{ $labels.consumer }}: events parked as dead letters (pbctl events dead-letters)"),
        # RETRY: a call that failed and will be tried again; FAILED: given up (docs/notify-channels.md).
        rule("PartybuildingWebhookFailures",
             f'sum by (tenant) (increase(notify_deliveries_total{{{ns},channel="WEBHOOK",outcome=~"RETRY|FAILED"}}[15m])) > 5',
             "0m", "warning", "{{ $labels.tenant }}: webhook calls keep failing (pbctl notify webhooks deliveries)"),
    ]


def prometheus_rule(values: dict) -> dict:
    obj = header("monitoring.coreos.com/v1", "PrometheusRule", "partybuilding", values, "platform", "alerts")
    obj["spec"] = {"groups": [{"name": "partybuilding", "rules": rules(values["namespace"])}]}
    return obj
