"""Every rendered manifest is a valid Kubernetes object: it round-trips through the official
client's models and validates offline against the OpenAPI schemas of the version the values name."""

from __future__ import annotations

import copy
import json
from importlib import resources

import kubernetes_validate
import pytest
import yaml
from kubernetes.client import ApiClient
from kubernetes_validate.utils import all_versions

from services.deployment.kinds import CUSTOM_KINDS, KINDS
from services.deployment.values import load
from services.platform import SERVICES
from tests.deploy.conftest import EXAMPLE, objects_of

VERSION = yaml.safe_load(EXAMPLE.read_text())["kubernetesVersion"]


def test_the_schemas_of_the_named_version_ship_inside_the_package():
    assert VERSION == "1.33"
    assert f"{VERSION}.0" in all_versions()

    schemas = resources.files("kubernetes_validate") / "kubernetes-json-schema" / f"v{VERSION}.0-local-strict"
    assert (schemas / "deployment-apps-v1.json").is_file()


def test_each_kind_the_renderer_makes_has_a_client_call(rendered):
    assert {o["kind"] for o in objects_of(rendered)} == set(KINDS) | set(CUSTOM_KINDS)


def test_every_manifest_round_trips_through_the_client_models(rendered):
    api = ApiClient()
    for obj in objects_of(rendered):
        if obj["kind"] in CUSTOM_KINDS:
            continue
        model = api.deserialize(json.dumps(obj), KINDS[obj["kind"]].model, "application/json")
        assert api.sanitize_for_serialization(model) == obj, f"{obj['kind']}/{obj['metadata']['name']}"


def test_every_manifest_validates_against_the_named_version_strictly(rendered):
    for obj in objects_of(rendered):
        if obj["kind"] in CUSTOM_KINDS:
            continue
        assert kubernetes_validate.validate(obj, VERSION, strict=True) == VERSION


@pytest.mark.parametrize("field, value", [("readinessProbes", {"grpc": {"port": 50051}}),  # a misspelt field
                                          ("terminationMessagePath", 30)])  # a wrong type
def test_the_schema_check_refuses_what_kubernetes_would(rendered, field, value):
    deployment = copy.deepcopy(objects_of(rendered, "Deployment")[0])
    deployment["spec"]["template"]["spec"]["containers"][0][field] = value
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, VERSION, strict=True)


def test_the_alert_rules_are_a_prometheus_rule_of_the_namespace(rendered):
    (rule,) = objects_of(rendered, "PrometheusRule")
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    names = [r["alert"] for g in rule["spec"]["groups"] for r in g["rules"]]
    assert {"PartybuildingGrpcErrorRatio", "PartybuildingGrpcLatencyP99", "PartybuildingRelayLag",
            "PartybuildingDeadLetters", "PartybuildingWebhookFailures"} <= set(names)
    assert all('namespace="partybuilding"' in r["expr"] for g in rule["spec"]["groups"] for r in g["rules"])


def test_every_object_lives_in_the_values_namespace(rendered):
    namespace = load(EXAMPLE, SERVICES)["namespace"]
    for obj in objects_of(rendered):
        assert obj["metadata"].get("namespace", namespace) == namespace
