"""What the benches that call a service through gRPC share: a fresh PostgreSQL database with the
environment a platform process reads, and one service's gRPC server in a subprocess (so that
the client's and the server's Python do not share one interpreter lock)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

PG_ADMIN = os.environ.get("PB_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def fresh_database(prefix: str) -> Iterator[tuple[str, dict]]:
    """(database name, environment for a platform process on it); dropped on leaving."""
    import psycopg

    db = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    env = dict(os.environ, PB_DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:5432/{db}",
               PB_ALLOW_DEV_SECRET="1", PB_VAR_DIR=tempfile.mkdtemp(prefix="pb-bench-"), PB_GRPC_PORT="0",
               PB_LOG_LEVEL="WARNING")
    try:
        yield db, env
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def serve(service: str) -> None:
    """The subprocess's side (`python -m bench.<module> --serve`): print the port, serve until stdin closes."""
    from services.common.config import Settings
    from services.platform import build_runtime, build_server

    settings = Settings.from_env()
    server, port, _ = build_server(settings, [build_runtime(service, settings)], "127.0.0.1:0")
    server.start()
    print(port, flush=True)
    sys.stdin.read()
    server.stop(None)


@contextmanager
def served(module: str, env: dict) -> Iterator[int]:
    """The port of `python -m <module> --serve` running with `env`; stopped on leaving."""
    proc = subprocess.Popen([sys.executable, "-m", module, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env=env, text=True)
    try:
        yield int(proc.stdout.readline())
    finally:
        proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
