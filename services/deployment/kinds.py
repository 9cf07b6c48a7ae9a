"""Which call of the official `kubernetes` client reads and applies each kind the renderer makes."""

from __future__ import annotations

from dataclasses import dataclass

APPLY_CONTENT_TYPE = "application/apply-patch+yaml"
FIELD_MANAGER = "pbctl"


@dataclass(frozen=True)
class Kind:
    api: str  # class in kubernetes.client
    resource: str  # the suffix of read_namespaced_<resource> / patch_namespaced_<resource>
    model: str  # the client's model class, for ApiClient.deserialize
    namespaced: bool = True


KINDS = {
    "Namespace": Kind("CoreV1Api", "namespace", "V1Namespace", namespaced=False),
    "ServiceAccount": Kind("CoreV1Api", "service_account", "V1ServiceAccount"),
    "ConfigMap": Kind("CoreV1Api", "config_map", "V1ConfigMap"),
    "Service": Kind("CoreV1Api", "service", "V1Service"),
    "NetworkPolicy": Kind("NetworkingV1Api", "network_policy", "V1NetworkPolicy"),
    "Job": Kind("BatchV1Api", "job", "V1Job"),
    "Deployment": Kind("AppsV1Api", "deployment", "V1Deployment"),
    "PodDisruptionBudget": Kind("PolicyV1Api", "pod_disruption_budget", "V1PodDisruptionBudget"),
    "HorizontalPodAutoscaler": Kind("AutoscalingV2Api", "horizontal_pod_autoscaler", "V2HorizontalPodAutoscaler"),
}
# Custom resources (the Prometheus Operator's) go through CustomObjectsApi: (group, version, plural).
CUSTOM_KINDS = {"PrometheusRule": ("monitoring.coreos.com", "v1", "prometheusrules")}


def _api(kind: Kind, api_client):
    import kubernetes.client

    return getattr(kubernetes.client, kind.api)(api_client)


def _resource_version(found) -> str | None:
    if found is None:
        return None
    if isinstance(found, dict):
        return found["metadata"].get("resourceVersion")
    return found.metadata.resource_version


def read(api_client, obj: dict):
    """The object as the cluster has it, or None when it does not exist."""
    from kubernetes.client import ApiException, CustomObjectsApi

    name, namespace = obj["metadata"]["name"], obj["metadata"].get("namespace")
    try:
        if obj["kind"] in CUSTOM_KINDS:
            group, version, plural = CUSTOM_KINDS[obj["kind"]]
            return CustomObjectsApi(api_client).get_namespaced_custom_object(group, version, namespace, plural, name)
        kind = KINDS[obj["kind"]]
        api = _api(kind, api_client)
        if kind.namespaced:
            return getattr(api, f"read_namespaced_{kind.resource}")(name, namespace)
        return getattr(api, f"read_{kind.resource}")(name)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


def apply(api_client, obj: dict):
    """Server-side apply of `obj` as field manager pbctl (conflicting fields taken over: force)."""
    from kubernetes.client import CustomObjectsApi

    name, namespace = obj["metadata"]["name"], obj["metadata"].get("namespace")
    options = {"field_manager": FIELD_MANAGER, "force": True, "_content_type": APPLY_CONTENT_TYPE}
    if obj["kind"] in CUSTOM_KINDS:
        group, version, plural = CUSTOM_KINDS[obj["kind"]]
        return CustomObjectsApi(api_client).patch_namespaced_custom_object(
            group, version, namespace, plural, name, obj, **options)
    kind = KINDS[obj["kind"]]
    api = _api(kind, api_client)
    if kind.namespaced:
        return getattr(api, f"patch_namespaced_{kind.resource}")(name, namespace, obj, **options)
    return getattr(api, f"patch_{kind.resource}")(name, obj, **options)


def apply_and_compare(api_client, obj: dict) -> str:
    """Apply and say what changed, as kubectl does: created, configured or unchanged.

    Server-side apply leaves the resourceVersion alone when the applied fields are already so.
    """
    before = _resource_version(read(api_client, obj))
    after = _resource_version(apply(api_client, obj))
    if before is None:
        return "created"
    return "unchanged" if before == after else "configured"
