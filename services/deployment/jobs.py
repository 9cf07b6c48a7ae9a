"""The Jobs that run before a rollout: each service's Alembic migration, the broker's topology.

A Job's pod template cannot change once created, so each Job is named after a hash of its spec:
a new image or setting makes a new Job, and applying the same release again finds the finished
one (unchanged) instead of failing on an immutable field. Finished Jobs go after a day.
"""

from __future__ import annotations

from services.deployment import pods, roles
from services.deployment.meta import digest, header, labels
from services.deployment.roles import ServiceFacts
from services.deployment.settings import broker_env, secret_env

TOPOLOGY_ACCOUNT = "events-topology"
JOB_RESOURCES = {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}}


def _job(values: dict, base_name: str, service: str, component: str, container: dict, account: str) -> dict:
    spec = {
        "backoffLimit": 2,
        "activeDeadlineSeconds": 900,
        "ttlSecondsAfterFinished": 86400,
        "template": {
            "metadata": {"labels": labels(values, service, component, container["image"].rsplit(":", 1)[-1])},
            "spec": pods.pod_spec(values, account, [container], 30, restart_policy="Never"),
        },
    }
    obj = header("batch/v1", "Job", f"{base_name}-{digest(spec, 8)}", values, service, component)
    obj["spec"] = spec
    return obj


def migration(values: dict, facts: ServiceFacts) -> dict:
    """`pbctl migrate --service S`: Alembic to head on the service's schema (idempotent)."""
    container = pods.container(values, facts.name, "migrate", roles.migrate_command(facts.name),
                               secret_env(values, facts, serving=False), JOB_RESOURCES, [])
    return _job(values, f"{facts.name}-migrate", facts.name, "migrate", container, facts.name)


def topology(values: dict, facts: ServiceFacts) -> dict:
    """`pbctl events declare`: every consumer's queues and bindings exist before any relay publishes.

    One Job for the platform: the command declares the whole registered topology at once. It
    runs in the image of `facts` (the organization: the producer of most events).
    """
    container = pods.container(values, facts.name, "declare", roles.declare_command(), broker_env(values),
                               JOB_RESOURCES, [], with_settings=False)
    return _job(values, "events-declare", "platform", "topology", container, TOPOLOGY_ACCOUNT)
