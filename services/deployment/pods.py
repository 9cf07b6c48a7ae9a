"""The pod every role shares: non-root, read-only root filesystem, no capabilities, /tmp in memory."""

from __future__ import annotations

from services.deployment.roles import METRICS_PORT
from services.deployment.settings import settings_name

# The image's user (deploy/Containerfile `USER 10001`); numeric so the kubelet can check non-root.
RUN_AS = 10001
TMP_VOLUME = "tmp"


def image(values: dict, service: str) -> str:
    return f"{values['image']['repository']}:{values['services'][service]['image']['tag']}"


def container_security() -> dict:
    return {"runAsNonRoot": True, "runAsUser": RUN_AS, "runAsGroup": RUN_AS, "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False, "privileged": False, "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"}}


def container(values: dict, service: str, name: str, command: list[str], env: list[dict],
              resources: dict, ports: list[dict], with_settings: bool = True, **probes) -> dict:
    """One process of the platform in a container; probes as keyword arguments (readinessProbe=...)."""
    out = {"name": name, "image": image(values, service), "imagePullPolicy": values["image"]["pullPolicy"],
           "command": command, "env": env, "resources": resources,
           "securityContext": container_security(),
           "volumeMounts": [{"name": TMP_VOLUME, "mountPath": "/tmp"}]}
    if with_settings:
        out["envFrom"] = [{"configMapRef": {"name": settings_name(service)}}]
    if ports:
        out["ports"] = ports
    out.update(probes)
    return out


def metrics_port(index: int = 0) -> dict:
    """Process `index` of a server with PB_GRPC_PROCESSES > 1 serves /metrics on the port + index."""
    return {"name": f"metrics-{index}" if index else "metrics", "containerPort": METRICS_PORT + index,
            "protocol": "TCP"}


def scrape_annotations() -> dict[str, str]:
    """What a Prometheus with the usual kubernetes-pods scrape job reads."""
    return {"prometheus.io/scrape": "true", "prometheus.io/port": str(METRICS_PORT), "prometheus.io/path": "/metrics"}


def metrics_probe(period: int = 20) -> dict:
    """A relay or worker is alive while its /metrics answers (a stuck eventlet hub does not)."""
    return {"httpGet": {"path": "/metrics", "port": "metrics"}, "periodSeconds": period, "timeoutSeconds": 5,
            "failureThreshold": 3}


def pod_spec(values: dict, account: str, containers: list[dict], grace_seconds: int,
             restart_policy: str = "Always") -> dict:
    spec = {
        "serviceAccountName": account,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "terminationGracePeriodSeconds": grace_seconds,
        "restartPolicy": restart_policy,
        "securityContext": {"runAsNonRoot": True, "runAsUser": RUN_AS, "runAsGroup": RUN_AS, "fsGroup": RUN_AS,
                            "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": containers,
        # Uploads and exports spill to /tmp (openpyxl, tempfile): node disk, bounded, gone with the pod.
        "volumes": [{"name": TMP_VOLUME, "emptyDir": {"sizeLimit": "1Gi"}}],
    }
    if values["image"]["pullSecrets"]:
        spec["imagePullSecrets"] = [{"name": n} for n in values["image"]["pullSecrets"]]
    return spec
