"""`pbctl deploy status`: per service and role, how many pods are ready and which versions run."""

from __future__ import annotations

from dataclasses import dataclass

from services.deployment.meta import LABEL_COMPONENT, LABEL_NAME, LABEL_PART_OF
from services.deployment.roles import PART_OF

PLATFORM_PODS = f"{LABEL_PART_OF}={PART_OF}"


@dataclass(frozen=True)
class PodLine:
    service: str
    role: str
    pod: str
    phase: str
    ready: bool
    restarts: int
    image: str


def pod_lines(api_client, namespace: str) -> list[PodLine]:
    """Every pod of the platform in `namespace`, by service and role."""
    from kubernetes.client import CoreV1Api

    lines = []
    for pod in CoreV1Api(api_client).list_namespaced_pod(namespace, label_selector=PLATFORM_PODS).items:
        labels = pod.metadata.labels or {}
        statuses = (pod.status.container_statuses if pod.status else None) or []
        ready = bool(statuses) and all(s.ready for s in statuses)
        image = ",".join(c.image for c in pod.spec.containers)
        lines.append(PodLine(labels.get(LABEL_NAME, "?"), labels.get(LABEL_COMPONENT, "?"), pod.metadata.name,
                             (pod.status.phase if pod.status else None) or "Unknown", ready,
                             sum(s.restart_count or 0 for s in statuses), image))
    return sorted(lines, key=lambda p: (p.service, p.role, p.pod))


def summary(lines: list[PodLine]) -> list[str]:
    """One line per service and role: ready/total and the image versions running."""
    groups: dict[tuple[str, str], list[PodLine]] = {}
    for line in lines:
        groups.setdefault((line.service, line.role), []).append(line)
    out = []
    for (service, role), pods in sorted(groups.items()):
        versions = sorted({p.image.rsplit(":", 1)[-1] for p in pods if p.phase != "Succeeded"})
        running = [p for p in pods if p.phase != "Succeeded"]
        out.append(f"{service}\t{role}\tready {sum(p.ready for p in running)}/{len(running)}\t"
                   f"versions {','.join(versions) or '-'}")
    return out
