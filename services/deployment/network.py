"""Services (stable gRPC addresses) and NetworkPolicies (who may talk to whom).

The platform's pods accept connections only from each other, from the callers named in
`network.grpcFrom` (an API gateway, on the gRPC port) and `network.metricsFrom` (Prometheus, on
the metrics port); they connect only to each other, to DNS, to PostgreSQL and to RabbitMQ, plus
the address blocks a service lists in `egressCidrs` (HTTPS: notify's webhook receivers).
"""

from __future__ import annotations

from services.deployment.meta import LABEL_NAME, LABEL_PART_OF, header, selector
from services.deployment.roles import GRPC_PORT, METRICS_PORT, PART_OF, ServiceFacts

NAMESPACE_LABEL = "kubernetes.io/metadata.name"


def service(values: dict, facts: ServiceFacts) -> dict:
    """`<service>:50051` for clients and for the other services (PB_ORGANIZATION_TARGET)."""
    obj = header("v1", "Service", facts.name, values, facts.name, "grpc")
    obj["spec"] = {
        "type": "ClusterIP",
        "selector": selector(facts.name, "grpc"),
        # appProtocol: meshes and gateways that read it balance per call, not per connection.
        "ports": [{"name": "grpc", "port": GRPC_PORT, "targetPort": "grpc", "protocol": "TCP",
                   "appProtocol": "kubernetes.io/h2c"}],
    }
    return obj


def pods_service_name(service: str) -> str:
    return f"{service}-pods"


def pods_service(values: dict, facts: ServiceFacts) -> dict:
    """Headless: its DNS name resolves to every ready server pod, so a client with grpc's
    round_robin policy (services/common/grpc/channels.py) spreads its calls over all of them,
    where the ClusterIP Service would pin its one long-lived connection to one pod."""
    obj = service(values, facts)
    obj["metadata"]["name"] = pods_service_name(facts.name)
    obj["spec"] = {"clusterIP": "None", **{k: v for k, v in obj["spec"].items() if k != "type"}}
    return obj


def balanced_target(values: dict, service_name: str) -> str:
    """The target a platform process calls `service_name` at: every pod, round robin."""
    return f"dns:///{pods_service_name(service_name)}.{values['namespace']}.svc:{GRPC_PORT}"


def _peer(peer: dict) -> dict:
    if "cidr" in peer:
        return {"ipBlock": {"cidr": peer["cidr"]}}
    out = {}
    if "namespace" in peer:
        out["namespaceSelector"] = {"matchLabels": {NAMESPACE_LABEL: peer["namespace"]}}
    out["podSelector"] = {"matchLabels": dict(peer.get("podLabels", {}))}
    return out


def _tcp(port: int) -> dict:
    return {"protocol": "TCP", "port": port}


def platform_policy(values: dict) -> dict:
    platform = {"podSelector": {"matchLabels": {LABEL_PART_OF: PART_OF}}}
    ingress = [{"from": [platform]}]
    if values["network"]["grpcFrom"]:
        ingress.append({"from": [_peer(p) for p in values["network"]["grpcFrom"]], "ports": [_tcp(GRPC_PORT)]})
    if values["network"]["metricsFrom"]:
        ingress.append({"from": [_peer(p) for p in values["network"]["metricsFrom"]], "ports": [_tcp(METRICS_PORT)]})
    dns = {"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}
    egress = [
        {"to": [platform], "ports": [_tcp(GRPC_PORT)]},
        {"to": [dns], "ports": [{"protocol": "UDP", "port": 53}, _tcp(53)]},
        {"to": [_peer(p) for p in values["postgres"]["peers"]], "ports": [_tcp(values["postgres"]["port"])]},
        {"to": [_peer(p) for p in values["rabbitmq"]["peers"]], "ports": [_tcp(values["rabbitmq"]["port"])]},
    ]
    obj = header("networking.k8s.io/v1", "NetworkPolicy", PART_OF, values, "platform", "network")
    obj["spec"] = {"podSelector": {"matchLabels": {LABEL_PART_OF: PART_OF}}, "policyTypes": ["Ingress", "Egress"],
                   "ingress": ingress, "egress": egress}
    return obj


def egress_policy(values: dict, facts: ServiceFacts) -> dict | None:
    """HTTPS out of the platform for one service, to the address blocks it lists (none: no policy)."""
    cidrs = values["services"][facts.name]["egressCidrs"]
    if not cidrs:
        return None
    obj = header("networking.k8s.io/v1", "NetworkPolicy", f"{facts.name}-egress", values, facts.name, "network")
    obj["spec"] = {"podSelector": {"matchLabels": {LABEL_PART_OF: PART_OF, LABEL_NAME: facts.name}},
                   "policyTypes": ["Egress"],
                   "egress": [{"to": [{"ipBlock": {"cidr": c}} for c in cidrs], "ports": [_tcp(443)]}]}
    return obj
