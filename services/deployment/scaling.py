"""How a service's gRPC servers scale and survive voluntary disruption (drains, upgrades)."""

from __future__ import annotations

from services.deployment.meta import header, selector
from services.deployment.roles import ServiceFacts


def disruption_budget(values: dict, facts: ServiceFacts) -> dict:
    """One server at a time may be evicted: maxUnavailable, so a single replica never blocks a drain."""
    obj = header("policy/v1", "PodDisruptionBudget", f"{facts.name}-grpc", values, facts.name, "grpc")
    obj["spec"] = {"maxUnavailable": 1, "selector": {"matchLabels": selector(facts.name, "grpc")},
                   "unhealthyPodEvictionPolicy": "AlwaysAllow"}
    return obj


def autoscaler(values: dict, facts: ServiceFacts) -> dict:
    """Servers between minReplicas and maxReplicas on CPU; scaling in waits five minutes of calm."""
    grpc = values["services"][facts.name]["grpc"]
    obj = header("autoscaling/v2", "HorizontalPodAutoscaler", f"{facts.name}-grpc", values, facts.name, "grpc")
    obj["spec"] = {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"{facts.name}-grpc"},
        "minReplicas": grpc["minReplicas"],
        "maxReplicas": grpc["maxReplicas"],
        "metrics": [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": grpc["cpuUtilization"]}}}],
        "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300,
                                   "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}},
    }
    return obj
