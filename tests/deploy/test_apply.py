"""`pbctl deploy apply` and `status` against a local stand-in for the API server.

No real cluster runs on this machine: tests/deploy/apiserver.py implements the calls the tool
makes (server-side apply, reads of Job and Deployment status, the pod list), through the
official client exactly as against a cluster, from a kubeconfig.
"""

from __future__ import annotations

import re

import pytest
import yaml
from click.testing import CliRunner

from services.deployment.render import render_file
from services.pbctl.main import cli
from tests.deploy.apiserver import ApiServer, StandIn
from tests.deploy.conftest import EXAMPLE, objects_of

# Every object the example renders (the alert rules too: it sets monitoring.prometheusRule).
OBJECTS = len(objects_of(render_file(EXAMPLE)))


def deploy(server: ApiServer, tmp_path, *args: str, values=EXAMPLE):
    kubeconfig = server.kubeconfig(tmp_path / "kubeconfig")
    return CliRunner().invoke(cli, ["deploy", *args, "--kubeconfig", kubeconfig] +
                              (["--values", str(values), "--poll", "0.01"] if args[0] == "apply" else []))


def outcomes(output: str) -> dict[str, str]:
    """What apply said of each object: {"Deployment/points-grpc": "created", ...}."""
    return {ref: outcome for outcome, ref in re.findall(r"^(created|configured|unchanged) +(\S+)$", output, re.M)}


@pytest.fixture(scope="module")
def first_apply(tmp_path_factory):
    state = StandIn(rollout_reads=2)
    with ApiServer(state) as server:
        result = deploy(server, tmp_path_factory.mktemp("apply"), "apply")
        yield state, server, result


def test_a_first_apply_creates_everything_and_waits_for_jobs_and_rollouts(first_apply):
    state, _, result = first_apply
    assert result.exit_code == 0, result.output
    assert set(outcomes(result.output).values()) == {"created"}
    assert len(outcomes(result.output)) == OBJECTS
    assert f"{OBJECTS} created, 0 configured, 0 unchanged" in result.output
    assert len(re.findall(r"^completed +Job/", result.output, re.M)) == 5  # 4 migrations, the topology
    # 4 services x (server, relay, worker), and notify's delivery process
    assert len(re.findall(r"^rolled out +Deployment/", result.output, re.M)) == 13


def test_every_write_is_a_server_side_apply(first_apply):
    state, _, _ = first_apply
    writes = [r for r in state.requests if r[0] != "GET"]
    assert len(writes) == OBJECTS
    assert {r[0] for r in writes} == {"PATCH"}
    assert {r[2] for r in writes} == {"application/apply-patch+yaml"}


def test_each_job_finishes_before_the_next_and_all_before_any_deployment(first_apply):
    state, _, _ = first_apply
    steps = []
    for method, path, _ in state.requests:
        if method == "PATCH" and "/jobs/" in path:
            steps.append(("apply job", path.rsplit("/", 1)[-1]))
        elif method == "GET" and path.endswith("/status") and "/jobs/" in path:
            steps.append(("job status", path.split("/")[-2]))
        elif method == "PATCH" and "/deployments/" in path:
            steps.append(("apply deployment", path.rsplit("/", 1)[-1]))
    jobs = [name for step, name in steps if step == "apply job"]
    assert [j.rsplit("-", 1)[0] for j in jobs] == ["organization-migrate", "assessment-migrate", "notify-migrate",
                                                  "points-migrate", "events-declare"]
    for i, job in enumerate(jobs):
        checked = steps.index(("job status", job))
        if i + 1 < len(jobs):
            assert checked < steps.index(("apply job", jobs[i + 1]))
    first_deployment = next(i for i, (step, _) in enumerate(steps) if step == "apply deployment")
    assert steps.index(("job status", jobs[-1])) < first_deployment
    # The rollout was waited for: each Deployment's status was read until it was up to date.
    status_reads = [p for m, p, _ in state.requests if m == "GET" and "/deployments/" in p and p.endswith("/status")]
    assert len(status_reads) >= 13 * 3


def test_status_lists_each_role_ready_with_its_version(first_apply, tmp_path):
    _, server, _ = first_apply
    result = deploy(server, tmp_path, "status", "--namespace", "partybuilding")
    assert result.exit_code == 0, result.output
    assert "points\tgrpc\tready 1/1\tversions 0.1.0" in result.output
    assert "organization\tworker\tready 1/1\tversions 0.1.0" in result.output
    assert "notify\trelay\tready 1/1\tversions 0.1.0" in result.output
    assert "notify\tdelivery\tready 1/1\tversions 0.1.0" in result.output
    assert re.search(r"^organization-migrate-\w+-0\torganization/migrate\tSucceeded\tnot ready", result.output, re.M)
    assert "registry.example.gov.cn/partybuilding/platform:0.1.0" in result.output


def test_applying_the_same_release_again_changes_nothing(first_apply, tmp_path):
    _, server, _ = first_apply
    result = deploy(server, tmp_path, "apply")
    assert result.exit_code == 0, result.output
    assert f"0 created, 0 configured, {OBJECTS} unchanged" in result.output


def test_a_new_tag_for_one_service_reconfigures_it_and_runs_its_migration_anew(tmp_path):
    newer = yaml.safe_load(EXAMPLE.read_text())
    newer["services"]["points"]["image"] = {"tag": "0.1.1"}
    values = tmp_path / "newer.yaml"
    values.write_text(yaml.safe_dump(newer))
    with ApiServer(StandIn(rollout_reads=1)) as server:
        assert deploy(server, tmp_path, "apply").exit_code == 0
        result = deploy(server, tmp_path, "apply", values=values)
        assert result.exit_code == 0, result.output
    changed = {ref: o for ref, o in outcomes(result.output).items() if o != "unchanged"}
    points_job = next(ref for ref in changed if ref.startswith("Job/points-migrate-"))
    assert changed == {"Deployment/points-grpc": "configured", "Deployment/points-relay": "configured",
                       "Deployment/points-worker": "configured", points_job: "created"}


def test_a_failed_migration_stops_the_release_before_any_pod_of_it_starts(tmp_path):
    state = StandIn(failing_jobs=("assessment-migrate",))
    with ApiServer(state) as server:
        result = deploy(server, tmp_path, "apply")
    assert result.exit_code == 1
    assert re.search(r"Job/assessment-migrate-\w+ failed: Job has reached the specified backoff limit", result.output)
    assert "nothing after it was applied" in result.output
    patched = [p for m, p, _ in state.requests if m == "PATCH"]
    assert not [p for p in patched if "/deployments/" in p or "notify-migrate" in p or "events-declare" in p]


def test_status_without_pods_says_so(tmp_path):
    with ApiServer(StandIn()) as server:
        result = deploy(server, tmp_path, "status", "--namespace", "elsewhere")
    assert result.exit_code == 1 and "no pods of the platform in namespace elsewhere" in result.output


def test_alert_rules_without_the_prometheus_operator_are_refused_with_what_to_do(tmp_path):
    with ApiServer(StandIn(rollout_reads=0, missing_groups=("monitoring.coreos.com",))) as server:
        result = deploy(server, tmp_path, "apply")
    assert result.exit_code == 1
    assert "PrometheusRule/partybuilding: the cluster has no PrometheusRule kind" in result.output
    assert "monitoring.prometheusRule: false" in result.output


def test_an_unreachable_api_server_is_said_plainly(tmp_path):
    with ApiServer(StandIn()) as server:
        kubeconfig = server.kubeconfig(tmp_path / "kubeconfig")
    # The stand-in has stopped: nothing listens on its port any more.
    result = CliRunner().invoke(cli, ["deploy", "status", "--kubeconfig", kubeconfig])
    assert result.exit_code == 1
    assert f"cannot reach the API server / 无法连接集群 {server.url}" in result.output
