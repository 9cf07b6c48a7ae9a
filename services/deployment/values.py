"""An environment's values file: defaults, checks that name the bad key, settings classified.

A value is refused with its dotted path and why (`services.points.grpc.maxReplicas: must be an
integer >= 1`), never half-used. Settings are the PB_* environment variables
`services/common/config.py` reads: the operator sets some in the values file, secrets come only
from a Secret reference, and the renderer sets the ones that depend on the wiring.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

from services.common.config import ConfigError, Settings


class ValuesError(Exception):
    """The values file is malformed; the message names the key and how to fix it."""


# PB_* settings by who sets them (tests/deploy/test_values.py checks every one config.py reads is here).
OPERATOR_SETTINGS = frozenset({"PB_LOG_LEVEL", "PB_RELAY_RETENTION_HOURS", "PB_GRPC_PROCESSES"})
SECRET_SETTINGS = frozenset({"PB_DATABASE_URL", "PB_AMQP_URI", "PB_JWT_SECRET", "PB_JWT_PUBLIC_KEY",
                             "PB_PAGE_TOKEN_SECRET", "PB_DATA_KEY", "PB_SERVICE_TOKEN"})
RENDERED_SETTINGS = frozenset({"PB_GRPC_PORT", "PB_METRICS_PORT", "PB_VAR_DIR", "PB_ORGANIZATION_TARGET",
                               "PB_WORKER_SERVICES"})
# Never in a deployment: the built-in dev secrets, test-only handler modules.
REFUSED_SETTINGS = frozenset({"PB_ALLOW_DEV_SECRET", "PB_EVENT_HANDLERS"})

RESOURCES = {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}}

SERVICE_DEFAULTS: dict[str, Any] = {
    "image": {"tag": ""},
    "settings": {},
    # The HPA owns the replica count of the gRPC server; the Deployment leaves it unset.
    "grpc": {"minReplicas": 2, "maxReplicas": 6, "cpuUtilization": 70,
             "resources": {"requests": {"cpu": "250m", "memory": "384Mi"}, "limits": {"cpu": "2", "memory": "768Mi"}}},
    "worker": {"replicas": 1, "resources": RESOURCES},
    "relay": {"replicas": 1, "resources": {"requests": {"cpu": "50m", "memory": "128Mi"},
                                            "limits": {"cpu": "500m", "memory": "256Mi"}}},
    # Only for a service that delivers messages itself (notify).
    "delivery": {"replicas": 1, "resources": {"requests": {"cpu": "50m", "memory": "192Mi"},
                                               "limits": {"cpu": "500m", "memory": "384Mi"}}},
    # Address blocks this service may reach outside the platform over HTTPS (notify's webhooks).
    "egressCidrs": [],
}

DEFAULTS: dict[str, Any] = {
    "environment": "production",
    "namespace": "partybuilding",
    "createNamespace": False,
    "kubernetesVersion": "1.33",
    "image": {"repository": "", "tag": "", "pullPolicy": "IfNotPresent", "pullSecrets": []},
    "auth": "public-key",
    "secrets": {"name": "partybuilding", "keys": {
        "databaseUrl": "database-url", "amqpUri": "amqp-uri", "jwtPublicKey": "jwt-public-key",
        "jwtSecret": "jwt-secret", "pageTokenSecret": "page-token-secret", "dataKey": "data-key",
        "serviceToken": "service-token-{service}"}},
    "postgres": {"port": 5432, "peers": []},
    "rabbitmq": {"port": 5672, "peers": []},
    "network": {"grpcFrom": [], "metricsFrom": []},
    # Applies the alert rules too: needs the Prometheus Operator's PrometheusRule kind in the cluster.
    "monitoring": {"prometheusRule": False},
    "settings": {},  # PB_* for every service; services.<svc>.settings override them
    "services": {},
}
DEFAULT_SETTINGS = {"PB_LOG_LEVEL": "INFO"}

AUTH_MODES = ("public-key", "shared-secret")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$")
TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
CIDR = re.compile(r"^[0-9a-fA-F:.]+/[0-9]{1,3}$")
VERSION = re.compile(r"^1\.[0-9]{2}$")


def _merge(default: Any, given: Any, path: str) -> Any:
    """`given` over `default`: unknown keys and wrong types refused with their path."""
    if isinstance(default, dict) and default:
        if not isinstance(given, dict):
            raise ValuesError(f"{path}: 应为映射 / must be a mapping")
        unknown = sorted(set(given) - set(default))
        if unknown:
            raise ValuesError(f"{path}.{unknown[0]}: 未知的键 / unknown key (known: {', '.join(sorted(default))})")
        return {k: _merge(v, given[k], f"{path}.{k}") if k in given else copy.deepcopy(v) for k, v in default.items()}
    if isinstance(default, bool):
        if not isinstance(given, bool):
            raise ValuesError(f"{path}: 应为 true/false / must be true or false")
    elif isinstance(default, int):
        if isinstance(given, bool) or not isinstance(given, int):
            raise ValuesError(f"{path}: 应为整数 / must be an integer")
    elif isinstance(default, str):
        if not isinstance(given, str):
            raise ValuesError(f"{path}: 应为字符串 / must be a string (quote numbers: \"1.33\")")
    elif isinstance(default, list) and not isinstance(given, list):
        raise ValuesError(f"{path}: 应为列表 / must be a list")
    elif isinstance(default, dict) and not isinstance(given, dict):
        raise ValuesError(f"{path}: 应为映射 / must be a mapping")
    return copy.deepcopy(given)


def _check(ok: bool, path: str, why: str) -> None:
    if not ok:
        raise ValuesError(f"{path}: {why}")


def _check_resources(resources: dict, path: str) -> None:
    for kind in ("requests", "limits"):
        for name, quantity in resources[kind].items():
            _check(name in ("cpu", "memory"), f"{path}.{kind}.{name}", "只能是 cpu 或 memory / only cpu and memory")
            _check(isinstance(quantity, str) and bool(QUANTITY.match(quantity)), f"{path}.{kind}.{name}",
                   f"{quantity!r} 不是资源数量 / is not a quantity such as 250m, 1, 512Mi")


def _check_peers(peers: list, path: str) -> None:
    """Where a NetworkPolicy lets pods go: {namespace, podLabels} or {cidr}."""
    for i, peer in enumerate(peers):
        at = f"{path}[{i}]"
        _check(isinstance(peer, dict) and peer and set(peer) <= {"namespace", "podLabels", "cidr"}, at,
               "应为 {namespace, podLabels} 或 {cidr} / must be {namespace, podLabels} or {cidr}")
        if "cidr" in peer:
            _check(set(peer) == {"cidr"} and isinstance(peer["cidr"], str) and bool(CIDR.match(peer["cidr"])),
                   f"{at}.cidr", "应为地址块如 10.20.0.0/24 / must be an address block such as 10.20.0.0/24 alone")
        if "namespace" in peer:
            _check(isinstance(peer["namespace"], str) and bool(DNS_LABEL.match(peer["namespace"])),
                   f"{at}.namespace", "不是命名空间名 / is not a namespace name")
        labels = peer.get("podLabels", {})
        _check(isinstance(labels, dict) and all(isinstance(v, str) for v in labels.values()),
               f"{at}.podLabels", "应为 标签: 值 的映射 / must map label names to strings")


def _settings(given: dict, path: str) -> dict[str, str]:
    out = {}
    for key, value in given.items():
        at = f"{path}.{key}"
        _check(key not in SECRET_SETTINGS, at, "机密只能来自 Secret 引用 / a secret comes only from the Secret (secrets.keys)")
        _check(key not in RENDERED_SETTINGS, at, "由渲染器设置 / set by the renderer from the wiring")
        _check(key not in REFUSED_SETTINGS, at, "不可用于部署 / not for a deployment")
        _check(key in OPERATOR_SETTINGS, at, f"未知设置 / unknown setting (settable: {', '.join(sorted(OPERATOR_SETTINGS))})")
        _check(isinstance(value, str | int) and not isinstance(value, bool), at, "应为字符串或整数 / must be a string or integer")
        out[key] = str(value)
    return out


def _check_settings_parse(settings: dict[str, str], path: str) -> None:
    """The kernel's own checks of the settings (ranges, log levels), with placeholders for the secrets."""
    placeholders = {"PB_DATABASE_URL": "postgresql+psycopg://check@localhost/check", "PB_JWT_SECRET": "x" * 32,
                    "PB_PAGE_TOKEN_SECRET": "y" * 32, "PB_DATA_KEY": "A" * 43 + "="}
    try:
        Settings.from_env({**placeholders, **settings})
    except ConfigError as exc:
        raise ValuesError(f"{path}: {exc}") from None


def check(values: dict, services: tuple[str, ...]) -> dict:
    """The values merged over the defaults and checked; `services` are the platform's services."""
    merged = _merge(DEFAULTS, values, "values")
    _check(bool(DNS_LABEL.match(merged["namespace"])), "namespace", "不是命名空间名 / is not a namespace name")
    _check(bool(DNS_LABEL.match(merged["environment"])), "environment", "应为小写字母数字和 - / lowercase letters, digits and -")
    _check(bool(VERSION.match(merged["kubernetesVersion"])), "kubernetesVersion", "应为如 \"1.33\" / must be like \"1.33\"")
    _check(bool(merged["image"]["repository"]), "image.repository", "必填 / required")
    _check(bool(TAG.match(merged["image"]["tag"])), "image.tag", "必填，镜像标签 / required, an image tag")
    _check(merged["image"]["pullPolicy"] in PULL_POLICIES, "image.pullPolicy", f"one of {', '.join(PULL_POLICIES)}")
    _check(merged["auth"] in AUTH_MODES, "auth", f"应为 {' 或 '.join(AUTH_MODES)} / one of {', '.join(AUTH_MODES)}")
    _check("{service}" in merged["secrets"]["keys"]["serviceToken"], "secrets.keys.serviceToken",
           "应含 {service} / must contain {service}: each service has its own token")
    for db in ("postgres", "rabbitmq"):
        _check(0 < merged[db]["port"] < 65536, f"{db}.port", "应为端口 / must be a port")
        _check(bool(merged[db]["peers"]), f"{db}.peers", "必填：NetworkPolicy 放行到哪里 / required: where the NetworkPolicy lets pods connect")
        _check_peers(merged[db]["peers"], f"{db}.peers")
    for name in ("grpcFrom", "metricsFrom"):
        _check_peers(merged["network"][name], f"network.{name}")
    merged["settings"] = {**DEFAULT_SETTINGS, **_settings(merged["settings"], "settings")}
    unknown = sorted(set(merged["services"]) - set(services))
    _check(not unknown, f"services.{unknown[0] if unknown else ''}", f"未知服务 / unknown service (services: {', '.join(services)})")
    per_service = {}
    for service in services:
        at = f"services.{service}"
        svc = _merge(SERVICE_DEFAULTS, merged["services"].get(service) or {}, at)
        svc["settings"] = {**merged["settings"], **_settings(svc["settings"], f"{at}.settings")}
        _check_settings_parse(svc["settings"], f"{at}.settings")
        svc["image"]["tag"] = svc["image"]["tag"] or merged["image"]["tag"]
        _check(bool(TAG.match(svc["image"]["tag"])), f"{at}.image.tag", "不是镜像标签 / is not an image tag")
        grpc = svc["grpc"]
        _check(1 <= grpc["minReplicas"] <= grpc["maxReplicas"], f"{at}.grpc", "应 1 <= minReplicas <= maxReplicas / must be 1 <= minReplicas <= maxReplicas")
        _check(1 <= grpc["cpuUtilization"] <= 100, f"{at}.grpc.cpuUtilization", "应在 1..100 / must be within 1..100")
        for role in ("worker", "relay", "delivery"):
            _check(svc[role]["replicas"] >= 0, f"{at}.{role}.replicas", "应 >= 0 / must be >= 0")
        for role in ("grpc", "worker", "relay", "delivery"):
            _check_resources(svc[role]["resources"], f"{at}.{role}.resources")
        for i, cidr in enumerate(svc["egressCidrs"]):
            _check(isinstance(cidr, str) and bool(CIDR.match(cidr)), f"{at}.egressCidrs[{i}]", "应为地址块 / must be an address block")
        per_service[service] = svc
    merged["services"] = per_service
    return merged


def load(path: str | Path, services: tuple[str, ...]) -> dict:
    """Read and check a values file."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValuesError(f"{path}: 无法读取 / cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ValuesError(f"{path}: 不是有效的 YAML / not valid YAML: {exc}") from None
    return check(raw or {}, services)
