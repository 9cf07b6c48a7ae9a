"""A values file with a mistake is refused with the key and why; settings are classified."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from services.deployment import values as v
from services.deployment.values import ValuesError, check
from services.pbctl.main import cli
from tests.deploy.conftest import EXAMPLE, ROOT

SERVICES = ("assessment", "notify", "organization", "points")
BASE = yaml.safe_load(EXAMPLE.read_text())


def with_(path: str, value) -> dict:
    """The example values with one key (dotted path) set to `value`."""
    data = yaml.safe_load(EXAMPLE.read_text())
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return data


def test_every_setting_the_kernel_reads_is_classified():
    read = set(re.findall(r'"(PB_[A-Z_]+)"', (ROOT / "services/common/config.py").read_text()))
    classified = v.OPERATOR_SETTINGS | v.SECRET_SETTINGS | v.RENDERED_SETTINGS | v.REFUSED_SETTINGS
    assert read - classified == set()


@pytest.mark.parametrize("path, value, says", [
    ("imagee", {}, "values.imagee: 未知的键 / unknown key"),
    ("image.tag", "", "image.tag: 必填"),
    ("settings", {"PB_JWT_SECRET": "s3cret"}, "settings.PB_JWT_SECRET: 机密只能来自 Secret 引用"),
    ("settings", {"PB_GRPC_PORT": 1}, "settings.PB_GRPC_PORT: 由渲染器设置"),
    ("settings", {"PB_ALLOW_DEV_SECRET": "1"}, "settings.PB_ALLOW_DEV_SECRET: 不可用于部署"),
    ("settings", {"PB_LOG_LEVEL": "LOUD"}, "services.assessment.settings: PB_LOG_LEVEL='LOUD'"),
    ("settings", {"PB_RELAY_RETENTION_HOURS": 99999}, "PB_RELAY_RETENTION_HOURS=99999: 应在 0..8760"),
    ("services.points.grpc", {"minReplicas": 5, "maxReplicas": 2}, "services.points.grpc: 应 1 <= minReplicas"),
    ("services.points.grpc", {"maxReplicas": "3"}, "services.points.grpc.maxReplicas: 应为整数"),
    ("services.points.relay", {"resources": {"limits": {"memory": "lots"}}},
     "services.points.relay.resources.limits.memory: 'lots' 不是资源数量"),
    ("services.payroll", {}, "services.payroll: 未知服务"),
    ("postgres.peers", [], "postgres.peers: 必填"),
    ("rabbitmq.peers", [{"cidr": "10.0.0.0/8", "namespace": "x"}], "rabbitmq.peers[0].cidr"),
    ("kubernetesVersion", 1.33, "kubernetesVersion: 应为字符串"),
    ("auth", "basic", "auth: 应为 public-key 或 shared-secret"),
    ("secrets.keys.serviceToken", "service-token", "secrets.keys.serviceToken: 应含 {service}"),
])
def test_a_mistake_is_refused_naming_its_key(path, value, says):
    with pytest.raises(ValuesError) as refused:
        check(with_(path, value), SERVICES)
    assert says in str(refused.value)


def test_per_service_settings_and_tags_override_the_environments():
    values = check(with_("services.points", {"image": {"tag": "0.1.1"}, "settings": {"PB_LOG_LEVEL": "DEBUG"}}),
                   SERVICES)
    assert values["services"]["points"]["image"]["tag"] == "0.1.1"
    assert values["services"]["organization"]["image"]["tag"] == "0.1.0"
    assert values["services"]["points"]["settings"]["PB_LOG_LEVEL"] == "DEBUG"
    assert values["services"]["notify"]["settings"]["PB_LOG_LEVEL"] == "WARNING"
    assert values["services"]["organization"]["settings"] == {"PB_LOG_LEVEL": "INFO", "PB_RELAY_RETENTION_HOURS": "72"}


def test_the_cli_answers_a_bad_values_file_with_the_key_not_a_traceback(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(with_("services.points.grpc", {"cpuUtilization": 0})))
    result = CliRunner().invoke(cli, ["deploy", "render", "--values", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "services.points.grpc.cpuUtilization: 应在 1..100" in result.output
    assert not (tmp_path / "out").exists()
    broken = tmp_path / "broken.yaml"
    broken.write_text("image: [unclosed\n")
    result = CliRunner().invoke(cli, ["deploy", "render", "--values", str(broken), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "不是有效的 YAML / not valid YAML" in result.output


def test_a_server_of_several_processes_declares_each_ones_metrics_port():
    from services.deployment.roles import platform_services
    from services.deployment.workloads import grpc_server

    values = check(with_("services.points", {"settings": {"PB_GRPC_PROCESSES": 3}}), SERVICES)
    points = next(f for f in platform_services() if f.name == "points")
    ports = grpc_server(values, points)["spec"]["template"]["spec"]["containers"][0]["ports"]
    assert [(p["name"], p["containerPort"]) for p in ports] == [
        ("grpc", 50051), ("metrics", 9100), ("metrics-1", 9101), ("metrics-2", 9102)]
    with pytest.raises(ValuesError) as refused:
        check(with_("settings", {"PB_GRPC_PROCESSES": 100}), SERVICES)
    assert "PB_GRPC_PROCESSES=100: 应在 1..64" in str(refused.value)
