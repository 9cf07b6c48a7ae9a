"""Deployments: per service a gRPC server, its outbox relay, its nameko worker if it consumes
events, its delivery process if it sends messages."""

from __future__ import annotations

from services.deployment import pods, roles
from services.deployment.meta import header, labels, selector
from services.deployment.roles import GRPC_PORT, ServiceFacts
from services.deployment.settings import secret_env, settings_checksum

# Before SIGTERM the pod waits this long, so that endpoints drop it before it stops taking calls.
PRE_STOP_SECONDS = 5
# Beyond preStop + drain: the server's last in-flight calls and its database pool closing.
GRACE_MARGIN_SECONDS = 15


def grace_seconds() -> int:
    """terminationGracePeriodSeconds of a gRPC server pod: longer than preStop plus the server's drain."""
    return int(PRE_STOP_SECONDS + roles.drain_seconds() + GRACE_MARGIN_SECONDS)


def _deployment(values: dict, facts: ServiceFacts, component: str, container: dict, grace: int,
                replicas: int | None) -> dict:
    service = facts.name
    obj = header("apps/v1", "Deployment", f"{service}-{component}", values, service, component)
    template_annotations = {**pods.scrape_annotations(),
                            "partybuilding.gov.cn/settings-sha256": settings_checksum(values, facts)}
    spec = {
        "selector": {"matchLabels": selector(service, component)},
        "revisionHistoryLimit": 5,
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
        "template": {
            "metadata": {"labels": labels(values, service, component, values["services"][service]["image"]["tag"]),
                         "annotations": template_annotations},
            "spec": pods.pod_spec(values, service, [container], grace),
        },
    }
    if replicas is not None:  # the gRPC server's count belongs to its HPA: applying one would fight it
        spec = {"replicas": replicas, **spec}
    obj["spec"] = spec
    return obj


def _grpc_probe(service_name: str, period: int, failures: int) -> dict:
    return {"grpc": {"port": GRPC_PORT, "service": service_name}, "periodSeconds": period,
            "timeoutSeconds": 2, "failureThreshold": failures}


def grpc_server(values: dict, facts: ServiceFacts) -> dict:
    """The service's gRPC server; ready while its own health name answers SERVING."""
    svc = values["services"][facts.name]
    processes = int(svc["settings"].get("PB_GRPC_PROCESSES", "1"))
    container = pods.container(
        values, facts.name, "grpc", roles.server_command(facts.name), secret_env(values, facts, serving=True),
        svc["grpc"]["resources"],
        [{"name": "grpc", "containerPort": GRPC_PORT, "protocol": "TCP"},
         *(pods.metrics_port(i) for i in range(processes))],
        # Starting migrates (a no-op after the Job) and loads the known tenants: give it a minute.
        startupProbe=_grpc_probe("", 2, 30),
        readinessProbe=_grpc_probe(facts.health_name, 5, 2),
        livenessProbe=_grpc_probe("", 10, 3),
        lifecycle={"preStop": {"sleep": {"seconds": PRE_STOP_SECONDS}}},
    )
    return _deployment(values, facts, "grpc", container, grace_seconds(), None)


def _background(values: dict, facts: ServiceFacts, component: str, command: list[str], env: list[dict],
                **probes) -> dict:
    """A process without a gRPC port (relay, worker, delivery), alive while its /metrics answers."""
    svc = values["services"][facts.name]
    container = pods.container(values, facts.name, component, command, env, svc[component]["resources"],
                               [pods.metrics_port()], **probes,
                               readinessProbe=pods.metrics_probe(10), livenessProbe=pods.metrics_probe())
    return _deployment(values, facts, component, container, 30, svc[component]["replicas"])


def relay(values: dict, facts: ServiceFacts) -> dict:
    """Publishes the service's outbox to RabbitMQ; replicas may run side by side."""
    return _background(values, facts, "relay", roles.relay_command(facts.name),
                       secret_env(values, facts, serving=False))


def worker(values: dict, facts: ServiceFacts) -> dict:
    """The service's nameko event worker (competing consumers on the service's durable queues)."""
    env = [*secret_env(values, facts, serving=False), {"name": "PB_WORKER_SERVICES", "value": facts.name}]
    # /metrics starts once the worker has declared its queues, which waits for the broker.
    return _background(values, facts, "worker", roles.worker_command(), env,
                       startupProbe={**pods.metrics_probe(5), "failureThreshold": 60})


def delivery(values: dict, facts: ServiceFacts) -> dict:
    """Sends the service's messages (SMS, webhooks); replicas claim messages with SKIP LOCKED.
    It reads members' phones from the organization, so it carries the service's token."""
    return _background(values, facts, "delivery", roles.delivery_command(facts.name),
                       secret_env(values, facts, serving=True))


def deployments(values: dict, facts: ServiceFacts) -> list[dict]:
    out = [grpc_server(values, facts), relay(values, facts)]
    if facts.consumes_events:
        out.append(worker(values, facts))
    if facts.delivers_messages:
        out.append(delivery(values, facts))
    return out
