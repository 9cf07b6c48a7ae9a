"""ConfigMaps of settings, the Secret references every process reads, ServiceAccounts.

Secrets are referenced, never rendered: the operator creates the Secret (`deploy/README.md`
says how) and a manifest names only its keys, so no rendered file holds a credential.
"""

from __future__ import annotations

from services.deployment.meta import digest, header
from services.deployment.network import balanced_target
from services.deployment.roles import DIRECTORY_OWNER, GRPC_PORT, METRICS_PORT, ServiceFacts

VAR_DIR = "/tmp/var"  # the only writable place: an emptyDir on /tmp


def settings_name(service: str) -> str:
    return f"{service}-settings"


def settings_data(values: dict, facts: ServiceFacts) -> dict[str, str]:
    """The PB_* settings of a service's processes: the operator's, then the wiring's."""
    data = dict(values["services"][facts.name]["settings"])
    data.update({"PB_GRPC_PORT": str(GRPC_PORT), "PB_METRICS_PORT": str(METRICS_PORT), "PB_VAR_DIR": VAR_DIR})
    if facts.reads_directory:
        # Every organization server pod, round robin (the headless Service of network.py).
        data["PB_ORGANIZATION_TARGET"] = balanced_target(values, DIRECTORY_OWNER)
    return dict(sorted(data.items()))


def config_map(values: dict, facts: ServiceFacts) -> dict:
    obj = header("v1", "ConfigMap", settings_name(facts.name), values, facts.name, "settings")
    obj["data"] = settings_data(values, facts)
    return obj


def settings_checksum(values: dict, facts: ServiceFacts) -> str:
    """Put on the pod template: a change of settings rolls the pods that read them."""
    return digest(settings_data(values, facts), 16)


def _secret(values: dict, env: str, key: str) -> dict:
    return {"name": env, "valueFrom": {"secretKeyRef": {"name": values["secrets"]["name"], "key": key}}}


def secret_env(values: dict, facts: ServiceFacts, serving: bool) -> list[dict]:
    """The Secret references of a service's processes; `serving`: one that calls the organization
    (a gRPC server, a delivery process)."""
    keys = values["secrets"]["keys"]
    env = [_secret(values, "PB_DATABASE_URL", keys["databaseUrl"]),
           _secret(values, "PB_AMQP_URI", keys["amqpUri"])]
    if values["auth"] == "public-key":
        env.append(_secret(values, "PB_JWT_PUBLIC_KEY", keys["jwtPublicKey"]))
    else:
        env.append(_secret(values, "PB_JWT_SECRET", keys["jwtSecret"]))
    env += [_secret(values, "PB_PAGE_TOKEN_SECRET", keys["pageTokenSecret"]),
            _secret(values, "PB_DATA_KEY", keys["dataKey"])]
    if serving and facts.reads_directory:
        env.append(_secret(values, "PB_SERVICE_TOKEN", keys["serviceToken"].format(service=facts.name)))
    return env


def broker_env(values: dict) -> list[dict]:
    """The topology Job needs the broker only."""
    return [_secret(values, "PB_AMQP_URI", values["secrets"]["keys"]["amqpUri"])]


def service_account(values: dict, name: str, service: str) -> dict:
    """One account per service; no pod of the platform talks to the Kubernetes API, so no token is mounted."""
    obj = header("v1", "ServiceAccount", name, values, service, "account")
    obj["automountServiceAccountToken"] = False
    return obj


def namespace(values: dict) -> dict:
    obj = header("v1", "Namespace", values["namespace"], values, "platform", "namespace", namespaced=False)
    # Pods here must meet the restricted Pod Security Standard (they do: tests/deploy/test_security.py).
    obj["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = "restricted"
    return obj
