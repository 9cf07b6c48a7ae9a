"""What a security review checks of every pod, asserted on the rendered manifests."""

from __future__ import annotations

import base64

from services.deployment.roles import drain_seconds, platform_services
from services.deployment.values import SECRET_SETTINGS
from services.deployment.workloads import PRE_STOP_SECONDS
from tests.deploy.conftest import objects_of


def pod_templates(rendered) -> list[tuple[str, dict]]:
    return [(f"{o['kind']}/{o['metadata']['name']}", o["spec"]["template"]["spec"])
            for o in objects_of(rendered) if o["kind"] in ("Deployment", "Job")]


def test_every_pod_runs_as_a_non_root_user_on_a_read_only_root_with_no_capabilities(rendered):
    templates = pod_templates(rendered)
    services = platform_services()
    # Per service a server, a relay, a migration, a worker if it consumes events and a delivery
    # process if it sends messages; one topology Job.
    assert len(templates) == (3 * len(services) + sum(f.consumes_events for f in services)
                              + sum(f.delivers_messages for f in services) + 1)
    assert sum(f.delivers_messages for f in services) == 1  # notify
    for ref, pod in templates:
        assert pod["securityContext"]["runAsNonRoot"] is True, ref
        assert pod["securityContext"]["runAsUser"] > 0, ref
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, ref
        assert pod["automountServiceAccountToken"] is False, ref
        for c in pod["containers"]:
            sc = c["securityContext"]
            assert sc["runAsNonRoot"] and sc["readOnlyRootFilesystem"] and not sc["allowPrivilegeEscalation"], ref
            assert sc["capabilities"] == {"drop": ["ALL"]}, ref
            assert {"name": "tmp", "mountPath": "/tmp"} in c["volumeMounts"], ref
            assert c["resources"]["requests"] and c["resources"]["limits"], ref
        assert {"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}} in pod["volumes"], ref


def test_each_grpc_server_is_probed_on_the_health_name_its_server_registers(rendered):
    deployments = {d["metadata"]["name"]: d for d in objects_of(rendered, "Deployment")}
    for facts in platform_services():
        (container,) = deployments[f"{facts.name}-grpc"]["spec"]["template"]["spec"]["containers"]
        assert container["readinessProbe"]["grpc"] == {"port": 50051, "service": facts.health_name}
        assert container["livenessProbe"]["grpc"] == {"port": 50051, "service": ""}
        assert container["startupProbe"]["grpc"]["port"] == 50051
        assert container["command"] == ["pbctl", "serve", "--service", facts.name]


def test_relays_workers_and_delivery_are_probed_on_their_metrics_endpoint(rendered):
    for d in objects_of(rendered, "Deployment"):
        if d["metadata"]["labels"]["app.kubernetes.io/component"] in ("relay", "worker", "delivery"):
            (container,) = d["spec"]["template"]["spec"]["containers"]
            for probe in ("readinessProbe", "livenessProbe"):
                assert container[probe]["httpGet"] == {"path": "/metrics", "port": "metrics"}


def test_a_server_pod_is_given_longer_than_pre_stop_plus_the_servers_drain(rendered):
    assert drain_seconds() == 10.0  # services/common/grpc/server.py serve_until_signalled(grace=10.0)
    for d in objects_of(rendered, "Deployment"):
        if d["metadata"]["name"].endswith("-grpc"):
            pod = d["spec"]["template"]["spec"]
            assert pod["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"] == PRE_STOP_SECONDS
            assert pod["terminationGracePeriodSeconds"] > PRE_STOP_SECONDS + drain_seconds()


def test_secrets_are_referenced_never_rendered(rendered):
    assert not objects_of(rendered, "Secret")
    for ref, pod in pod_templates(rendered):
        for c in pod["containers"]:
            for env in c["env"]:
                if env["name"] in SECRET_SETTINGS:
                    assert set(env) == {"name", "valueFrom"} and "secretKeyRef" in env["valueFrom"], (ref, env)
    for cm in objects_of(rendered, "ConfigMap"):
        assert not SECRET_SETTINGS & set(cm["data"]), cm["metadata"]["name"]


def test_no_rendered_text_carries_a_credential(rendered):
    from services.deployment.render import to_yaml

    text = "".join(to_yaml(o) for o in objects_of(rendered))
    for marker in ("BEGIN PUBLIC KEY", "BEGIN PRIVATE KEY", "amqp://", "postgresql://", "postgresql+psycopg://",
                   base64.b64encode(b"guest").decode()):
        assert marker not in text


def test_only_the_services_that_call_the_organization_get_a_token_and_its_address(rendered):
    deployments = {d["metadata"]["name"]: d for d in objects_of(rendered, "Deployment")}
    settings = {c["metadata"]["name"]: c["data"] for c in objects_of(rendered, "ConfigMap")}
    for facts in platform_services():
        env = deployments[f"{facts.name}-grpc"]["spec"]["template"]["spec"]["containers"][0]["env"]
        tokens = [e for e in env if e["name"] == "PB_SERVICE_TOKEN"]
        if facts.name == "organization":
            assert not tokens and "PB_ORGANIZATION_TARGET" not in settings["organization-settings"]
        else:
            assert tokens[0]["valueFrom"]["secretKeyRef"]["key"] == f"service-token-{facts.name}"
            target = settings[f"{facts.name}-settings"]["PB_ORGANIZATION_TARGET"]
            assert target == "dns:///organization-pods.partybuilding.svc:50051"


def test_the_organization_is_called_at_every_server_pod_round_robin(rendered):
    services = {s["metadata"]["name"]: s["spec"] for s in objects_of(rendered, "Service")}
    headless, stable = services["organization-pods"], services["organization"]
    assert headless["clusterIP"] == "None" and "clusterIP" not in stable
    assert headless["selector"] == stable["selector"] == {
        "app.kubernetes.io/part-of": "partybuilding", "app.kubernetes.io/name": "organization",
        "app.kubernetes.io/component": "grpc"}


def test_every_configmap_is_settings_the_kernel_accepts(rendered):
    from services.common.config import Settings

    secrets = {"PB_DATABASE_URL": "postgresql+psycopg://u@pg/db", "PB_JWT_SECRET": "j" * 32,
               "PB_PAGE_TOKEN_SECRET": "p" * 32, "PB_DATA_KEY": "A" * 43 + "="}
    for cm in objects_of(rendered, "ConfigMap"):
        settings = Settings.from_env({**secrets, **cm["data"]})
        assert settings.grpc_port == 50051 and settings.metrics_port == 9100


def test_the_network_policy_keeps_the_platform_to_itself_and_its_databases(rendered):
    policies = {p["metadata"]["name"]: p["spec"] for p in objects_of(rendered, "NetworkPolicy")}
    platform = policies["partybuilding"]
    assert platform["policyTypes"] == ["Ingress", "Egress"]
    assert platform["podSelector"] == {"matchLabels": {"app.kubernetes.io/part-of": "partybuilding"}}
    ports = sorted(p["port"] for rule in platform["egress"] for p in rule["ports"])
    assert ports == [53, 53, 5432, 5672, 50051]
    allowed_from = [rule["from"] for rule in platform["ingress"]]
    assert [{"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "partybuilding"}}}] in allowed_from
    # Only notify goes out, over HTTPS, to the receivers the values list.
    assert policies["notify-egress"]["egress"] == [{"to": [{"ipBlock": {"cidr": "203.0.113.0/24"}}],
                                                     "ports": [{"protocol": "TCP", "port": 443}]}]
    assert set(policies) == {"partybuilding", "notify-egress"}


def test_every_pod_is_scraped_on_its_metrics_port(rendered):
    for d in objects_of(rendered, "Deployment"):
        annotations = d["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true" and annotations["prometheus.io/port"] == "9100"
        ports = d["spec"]["template"]["spec"]["containers"][0]["ports"]
        assert {"name": "metrics", "containerPort": 9100, "protocol": "TCP"} in ports
