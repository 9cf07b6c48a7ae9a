"""What every pbctl command shares: settings, the caller's token, a channel to the server.

Service modules (org.py, events.py, ...) import from here; nothing imports pbctl/main.py,
which only registers their command groups.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from services.common.config import ConfigError, Settings

TARGET = click.option("--target", default="localhost:50051", show_default=True,
                      help="gRPC server address; several replicas as ipv4:HOST:PORT,HOST:PORT or dns:///NAME:PORT "
                           "(called round robin).")
REQUEST_ID = click.option(
    "--request-id", default="",
    help="Idempotency key of the create (AIP-155). Default: a fresh uuid4. Pass the id of an attempt whose "
         "answer was lost to retry it without creating twice.")


def load_settings() -> Settings:
    """Settings from the environment, or a clear message and exit status 2."""
    try:
        return Settings.from_env()
    except ConfigError as exc:
        click.echo(f"配置错误 / configuration error: {exc}", err=True)
        sys.exit(2)


def fail(message: str, status: int = 1) -> None:
    click.echo(message, err=True)
    sys.exit(status)


def token_metadata(tenant: str = "") -> list[tuple[str, str]]:
    """Call metadata carrying the token in $TOKEN, or a hint how to get one and exit status 2."""
    token = os.environ.get("TOKEN", "")
    if not token:
        fail("请先设置 TOKEN / set TOKEN first: export TOKEN=$(pbctl dev-token --role county_admin --tenant "
             f"{tenant or 'CODE'})", 2)
    return [("authorization", f"Bearer {token}")]


@contextmanager
def channel(target: str, request_id: str = "") -> Iterator:
    """A channel to the server on which every create carries a request_id (retries stay single)."""
    from services.common.grpc.channels import balanced_channel
    from services.common.grpc.request_ids import idempotent_channel

    with balanced_channel(target) as raw:
        yield idempotent_channel(raw, request_id)


def violation_lines(err, prefix: str = "") -> list[str]:
    """Every field violation of a refused call, one line each, paths relative to a file (`prefix` cut)."""
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    status = rpc_status.from_call(err)
    lines = []
    for detail in status.details if status is not None else []:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            lines += [f"{v.field.removeprefix(prefix)}: {v.description}" for v in bad.field_violations]
    return lines


def rpc_failure(err, prefix: str = "") -> None:
    """Exit with a refused call: every field violation on its own line (status 2), else the message."""
    lines = violation_lines(err, prefix)
    if lines:
        fail("\n".join([f"{err.code().name}: {len(lines)} problem(s) / 共{len(lines)}处问题", *lines]), 2)
    fail(f"{err.code().name}: {err.details()}", 2 if err.code().name == "INVALID_ARGUMENT" else 1)


def call(method, request, md, prefix: str = "", timeout: float = 30):
    """One RPC; a refusal exits as `rpc_failure` says."""
    import grpc

    try:
        return method(request, metadata=md, timeout=timeout)
    except grpc.RpcError as err:
        rpc_failure(err, prefix)
