"""pbctl run-distributed: production wiring on one machine, one process per role.

Per service: a gRPC server (`pbctl serve`, no embedded bus since PB_AMQP_URI is set), an outbox
relay (`pbctl events relay`) and, for services that consume events, a nameko worker
(`nameko run services.common.events.worker`); and notify's delivery process (`pbctl notify
deliver`: SMS and webhooks, which `pbctl serve` runs as a thread only without a broker). The broker topology is declared first
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


@click.command("run-distributed")
@click.option("--relays", default=1, show_default=True, help="Relay replicas per service.")
def run_distributed(relays: int) -> None:
    """Run gRPC server, relay(s) and worker as separate processes on PostgreSQL and RabbitMQ."""
    from services.common.events.registry import handlers_module
    from services.platform import SERVICES

    env = dict(os.environ)
    env.setdefault("PB_DATABASE_URL", DEFAULT_DB)
    env.setdefault("PB_AMQP_URI", DEFAULT_AMQP)
    env.setdefault("PB_ALLOW_DEV_SECRET", "1")
    _ensure_database(env["PB_DATABASE_URL"])
    bin_dir = Path(sys.executable).parent
    pbctl = [sys.executable, "-m", "services.pbctl.main"]
    metrics = int(env.get("PB_METRICS_PORT", "9100"))
    roles: list[tuple[str, list[str], dict]] = []
    subprocess.run([*pbctl, "migrate"], env=env, check=True)
    subprocess.run([*pbctl, "events", "declare"], env=env, check=True)
    roles.append(("grpc", [*pbctl, "serve"], {"PB_METRICS_PORT": str(metrics)}))
    port = metrics + 1
    for service in SERVICES:
        for i in range(relays):
            roles.append((f"relay-{service}-{i}", [*pbctl, "events", "relay", "--service", service],
                          {"PB_METRICS_PORT": str(port)}))
            port += 1
    consumers = [s for s in SERVICES if getattr(handlers_module(s), "HANDLERS", None)]
    if consumers:
        roles.append(("worker", [str(bin_dir / "nameko"), "run", "--broker", env["PB_AMQP_URI"],
                                 "services.common.events.worker"],
                      {"PB_WORKER_SERVICES": ",".join(consumers), "PB_METRICS_PORT": str(port)}))
        port += 1
    else:
        click.echo("no service consumes events yet: no nameko worker started", err=True)
    roles.append(("delivery", [*pbctl, "notify", "deliver"], {"PB_METRICS_PORT": str(port)}))
    procs = []
    for role, argv, extra in roles:
        procs.append((role, subprocess.Popen(argv, env={**env, **extra})))
        click.echo(f"started {role} (pid {procs[-1][1].pid}, metrics :{extra['PB_METRICS_PORT']})", err=True)

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
