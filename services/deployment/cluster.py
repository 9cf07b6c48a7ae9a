"""`pbctl deploy apply`: the stages in order, each Job waited for, then the rollouts.

Prepare (accounts, settings, policies) first since the Jobs' pods need them; then each Job on
its own, waited to completion, the next only after; then the rollout objects, waited until every
Deployment runs its new pods. A failed Job stops everything after it: no pod of a release whose
migration failed is started.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from services.deployment.kinds import CUSTOM_KINDS, apply_and_compare
from services.deployment.render import Stage


class DeployError(Exception):
    """Applying stopped; the message says which object and why."""


@dataclass
class Waits:
    """How long to wait, and how often to look (tests look often)."""

    job_seconds: float = 900.0
    rollout_seconds: float = 600.0
    poll_seconds: float = 2.0
    sleep: Callable[[float], None] = field(default=time.sleep)


def _ref(obj: dict) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


def wait_job(api_client, obj: dict, waits: Waits) -> None:
    from kubernetes.client import BatchV1Api

    api, name, namespace = BatchV1Api(api_client), obj["metadata"]["name"], obj["metadata"]["namespace"]
    deadline = time.monotonic() + waits.job_seconds
    while True:
        status = api.read_namespaced_job_status(name, namespace).status
        conditions = {c.type: c for c in (status.conditions or []) if c.status == "True"} if status else {}
        if "Complete" in conditions or (status and (status.succeeded or 0) >= 1):
            return
        if "Failed" in conditions:
            why = conditions["Failed"].message or conditions["Failed"].reason or "failed"
            raise DeployError(f"Job/{name} failed: {why} (kubectl -n {namespace} logs job/{name}); "
                              "nothing after it was applied")
        if time.monotonic() > deadline:
            raise DeployError(f"Job/{name} did not finish in {waits.job_seconds:.0f} s; nothing after it was applied")
        waits.sleep(waits.poll_seconds)


def rolled_out(deployment) -> bool:
    """Every replica runs the newest template and is available (what `kubectl rollout status` waits for)."""
    spec, status, meta = deployment.spec, deployment.status, deployment.metadata
    if status is None or (status.observed_generation or 0) < (meta.generation or 0):
        return False
    desired = spec.replicas if spec.replicas is not None else 1
    return ((status.updated_replicas or 0) >= desired and (status.replicas or 0) == (status.updated_replicas or 0)
            and (status.available_replicas or 0) >= desired)


def wait_rollouts(api_client, deployments: list[dict], waits: Waits) -> None:
    from kubernetes.client import AppsV1Api

    api = AppsV1Api(api_client)
    pending = {d["metadata"]["name"]: d["metadata"]["namespace"] for d in deployments}
    deadline = time.monotonic() + waits.rollout_seconds
    while pending:
        for name, namespace in list(pending.items()):
            found = api.read_namespaced_deployment_status(name, namespace)
            conditions = (found.status.conditions if found.status else None) or []
            stuck = [c for c in conditions if c.type == "Progressing" and c.reason == "ProgressDeadlineExceeded"]
            if stuck:
                raise DeployError(f"Deployment/{name}: rollout stuck ({stuck[0].message}); "
                                  f"kubectl -n {namespace} describe deployment {name}")
            if rolled_out(found):
                del pending[name]
        if not pending:
            return
        if time.monotonic() > deadline:
            raise DeployError(f"not rolled out in {waits.rollout_seconds:.0f} s: {', '.join(sorted(pending))}")
        waits.sleep(waits.poll_seconds)


def _apply(api_client, obj: dict) -> str:
    from kubernetes.client import ApiException

    try:
        return apply_and_compare(api_client, obj)
    except ApiException as exc:
        if exc.status == 404 and obj["kind"] in CUSTOM_KINDS:
            raise DeployError(f"{_ref(obj)}: the cluster has no {obj['kind']} kind (install the Prometheus "
                              "Operator's CRDs, or set monitoring.prometheusRule: false)") from None
        raise


def apply_stages(api_client, rendered: list[Stage], report: Callable[[str, str], None],
                 waits: Waits | None = None, monitoring: bool = False) -> dict[str, str]:
    """Apply every stage in order; `report(outcome, ref)` is told each object's outcome as it happens."""
    waits = waits or Waits()
    outcomes: dict[str, str] = {}
    for stage in rendered:
        if stage.name.endswith("monitoring") and not monitoring:
            for obj in stage.objects:
                report("skipped", f"{_ref(obj)} (monitoring.prometheusRule is false)")
            continue
        for obj in stage.objects:
            outcome = _apply(api_client, obj)
            outcomes[_ref(obj)] = outcome
            report(outcome, _ref(obj))
            if obj["kind"] == "Job":
                wait_job(api_client, obj, waits)
                report("completed", _ref(obj))
    deployments = [o for s in rendered for o in s.objects if o["kind"] == "Deployment"]
    wait_rollouts(api_client, deployments, waits)
    for d in deployments:
        report("rolled out", _ref(d))
    return outcomes
