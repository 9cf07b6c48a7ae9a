"""The pods run the processes `make run-distributed` runs: the same commands and variables."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from services.pbctl import distributed
from services.platform import SERVICES
from tests.deploy.conftest import objects_of

AMQP = "amqp://guest:guest@broker.invalid:5672/%2F"


class _Exited:
    """A process that has already exited: run-distributed's loop stops at once."""

    returncode = 0

    def __init__(self, argv, env):
        self.argv, self.env = argv, env
        self.pid = 1

    def poll(self):
        return 0

    def wait(self, timeout=None):
        return 0


@pytest.fixture(scope="module")
def started():
    """argv and the extra variables of every process run-distributed starts (none really starts)."""
    ran, popened = [], []
    patch = pytest.MonkeyPatch()
    patch.setattr(distributed, "_ensure_database", lambda url: None)
    patch.setattr(distributed.subprocess, "run", lambda argv, **kw: ran.append(argv))
    patch.setattr(distributed.subprocess, "Popen",
                  lambda argv, env: popened.append(_Exited(argv, env)) or popened[-1])
    patch.setattr(distributed.signal, "signal", lambda *a: None)
    patch.setenv("PB_AMQP_URI", AMQP)
    try:
        result = CliRunner().invoke(distributed.run_distributed, [])
    finally:
        patch.undo()
    assert result.exit_code == 0, result.output
    return ran, popened


def _pbctl(argv: list[str]) -> list[str]:
    """`python -m services.pbctl.main ...` as the image runs it: `pbctl ...`."""
    assert argv[:3] == [sys.executable, "-m", "services.pbctl.main"]
    return ["pbctl", *argv[3:]]


def _containers(rendered, component: str) -> dict[str, dict]:
    return {o["metadata"]["labels"]["app.kubernetes.io/name"]: o["spec"]["template"]["spec"]["containers"][0]
            for o in objects_of(rendered) if o["kind"] in ("Deployment", "Job")
            and o["metadata"]["labels"]["app.kubernetes.io/component"] == component}


def test_the_jobs_run_what_run_distributed_runs_before_starting(started, rendered):
    ran, _ = started
    assert [_pbctl(a) for a in ran] == [["pbctl", "migrate"], ["pbctl", "events", "declare"]]
    migrations = _containers(rendered, "migrate")
    assert {s: c["command"] for s, c in migrations.items()} == {s: ["pbctl", "migrate", "--service", s] for s in SERVICES}
    (declare,) = _containers(rendered, "topology").values()
    assert declare["command"] == ["pbctl", "events", "declare"]


def test_relays_and_workers_run_the_same_commands_and_variables(started, rendered):
    _, popened = started
    relays = {p.argv[-1]: _pbctl(p.argv) for p in popened if "relay" in p.argv}
    assert {s: c["command"] for s, c in _containers(rendered, "relay").items()} == relays
    (worker,) = [p for p in popened if p.argv[0].endswith("nameko")]
    assert worker.argv[1:] == ["run", "--broker", AMQP, "services.common.events.worker"]
    workers = _containers(rendered, "worker")
    for service, container in workers.items():
        assert container["command"] == ["nameko", "run", "--broker", "$(PB_AMQP_URI)", "services.common.events.worker"]
        assert {"name": "PB_WORKER_SERVICES", "value": service} in container["env"]
        # $(PB_AMQP_URI) is expanded by Kubernetes only from a variable defined in the container.
        assert any(e["name"] == "PB_AMQP_URI" for e in container["env"])
    assert set(workers) == set(worker.env["PB_WORKER_SERVICES"].split(","))


def test_the_delivery_process_runs_as_run_distributed_runs_it(started, rendered):
    _, popened = started
    (delivery,) = [p for p in popened if "deliver" in p.argv]
    deliveries = _containers(rendered, "delivery")
    assert {s: c["command"] for s, c in deliveries.items()} == {"notify": _pbctl(delivery.argv)}
    # Both call the organization, with the organization's address.
    assert "PB_ORGANIZATION_TARGET" in delivery.env
    assert any(e["name"] == "PB_SERVICE_TOKEN" for e in deliveries["notify"]["env"])


def test_the_server_serves_what_run_distributed_serves_one_service_per_pod(started, rendered):
    _, popened = started
    (server,) = [_pbctl(p.argv) for p in popened if "serve" in p.argv]
    assert server == ["pbctl", "serve"]
    servers = _containers(rendered, "grpc")
    assert {s: c["command"] for s, c in servers.items()} == {s: [*server, "--service", s] for s in SERVICES}
