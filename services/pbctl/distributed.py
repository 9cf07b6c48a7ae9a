"""pbctl run-distributed: production wiring on one machine, one process per role.

Per replica (`--replicas N`, `make run-distributed REPLICAS=2`): a gRPC server hosting every
service (`pbctl serve`, no embedded bus since PB_AMQP_URI is set) on PB_GRPC_PORT + its index,
an outbox relay per service (`pbctl events relay`) and a nameko worker for the services that
consume events (`nameko run services.common.events.worker`). The replicas share one PostgreSQL
and one RabbitMQ: a request_id is claimed in the database, so a retry that reaches the other
replica answers the first result; the relays lock each county's outbox rows, so an event leaves
once; the workers consume each service's queue as competing consumers. Clients, the services'
own organization client included, call the servers round robin
(`ipv4:127.0.0.1:50051,127.0.0.1:50052`). Per replica too, notify's delivery process (`pbctl
notify deliver`: SMS and webhooks; `pbctl serve` runs it as a thread only without a broker), the
replicas sharing the queue (claims skip what another holds). The broker topology is declared first
(`pbctl events declare`), so no event leaves before its consumers' queues exist. Ctrl-C stops
them all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/partybuilding"
DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672//"


def _ensure_database(url: str) -> None:
    import psycopg

    base, name = url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def balanced_target(ports: list[int]) -> str:
    """The client target naming every server replica on this machine."""
    if len(ports) == 1:
        return f"127.0.0.1:{ports[0]}"
    return "ipv4:" + ",".join(f"127.0.0.1:{port}" for port in ports)


def _roles(env: dict[str, str], replicas: int, relays: int) -> tuple[list[tuple[str, list[str], dict]], str]:
    """(role, argv, environment added) of every process, and the servers' balanced target."""
    from services.common.config import ConfigError, Settings
    from services.common.events.registry import handlers_module
    from services.platform import SERVICES

    settings = Settings.from_env(env)
    if replicas > 1 and not settings.grpc_port:
        raise ConfigError("PB_GRPC_PORT=0: 多副本需要固定端口 / replicas listen on PB_GRPC_PORT, PB_GRPC_PORT+1, ...: "
                          "give a port, not 0")
    pbctl = [sys.executable, "-m", "services.pbctl.main"]
    ports = [settings.grpc_port + i for i in range(replicas)]
    target = balanced_target(ports)
    organization = env.get("PB_ORGANIZATION_TARGET") or target
    metrics = settings.metrics_port
    step = 1 if metrics else 0  # PB_METRICS_PORT=0: no role serves /metrics
    roles: list[tuple[str, list[str], dict]] = []
    for i, port in enumerate(ports):
        roles.append((f"grpc-{i}", [*pbctl, "serve"], {
            "PB_GRPC_PORT": str(port), "PB_METRICS_PORT": str(metrics), "PB_ORGANIZATION_TARGET": organization}))
        metrics += step * settings.grpc_processes  # one /metrics per server process
    for service in SERVICES:
        for i in range(relays):
            roles.append((f"relay-{service}-{i}", [*pbctl, "events", "relay", "--service", service],
                          {"PB_METRICS_PORT": str(metrics)}))
            metrics += step
    consumers = [s for s in SERVICES if getattr(handlers_module(s), "HANDLERS", None)]
    nameko = str(Path(sys.executable).parent / "nameko")
    for i in range(replicas if consumers else 0):
        roles.append((f"worker-{i}", [nameko, "run", "--broker", env["PB_AMQP_URI"], "services.common.events.worker"],
                      {"PB_WORKER_SERVICES": ",".join(consumers), "PB_METRICS_PORT": str(metrics)}))
        metrics += step
    if not consumers:
        click.echo("no service consumes events yet: no nameko worker started", err=True)
    for i in range(replicas):
        roles.append((f"delivery-{i}", [*pbctl, "notify", "deliver"],
                      {"PB_METRICS_PORT": str(metrics), "PB_ORGANIZATION_TARGET": organization}))
        metrics += step
    return roles, target


@click.command("run-distributed")
@click.option("--replicas", default=1, show_default=True, type=click.IntRange(1, 8),
              help="Replicas of every gRPC server and worker, on PB_GRPC_PORT, PB_GRPC_PORT+1, ...")
@click.option("--relays", default=0, type=click.IntRange(0, 8),
              help="Relay replicas per service.  [default: --replicas]")
def run_distributed(replicas: int, relays: int) -> None:
    """Run gRPC servers, relays and workers as separate processes on PostgreSQL and RabbitMQ."""
    from services.common.config import ConfigError

    env = dict(os.environ)
    env.setdefault("PB_DATABASE_URL", DEFAULT_DB)
    env.setdefault("PB_AMQP_URI", DEFAULT_AMQP)
    env.setdefault("PB_ALLOW_DEV_SECRET", "1")
    try:
        roles, target = _roles(env, replicas, relays or replicas)
    except ConfigError as exc:
        raise click.ClickException(f"配置错误 / configuration error: {exc}") from None
    _ensure_database(env["PB_DATABASE_URL"])
    pbctl = [sys.executable, "-m", "services.pbctl.main"]
    subprocess.run([*pbctl, "migrate"], env=env, check=True)
    subprocess.run([*pbctl, "events", "declare"], env=env, check=True)
    procs = []
    for role, argv, extra in roles:
        procs.append((role, subprocess.Popen(argv, env={**env, **extra})))
        click.echo(f"started {role} (pid {procs[-1][1].pid}, metrics :{extra['PB_METRICS_PORT']})", err=True)
    click.echo(f"clients: --target {target}", err=True)

    stopping = False

    def _stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    while not stopping and all(p.poll() is None for _, p in procs):
        time.sleep(0.5)
    for role, p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        else:
            click.echo(f"{role} exited with {p.returncode}", err=True)
    for _, p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
