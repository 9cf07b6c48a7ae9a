"""create_server(address) -> (server, port), separate from serving: tests bind [::]:0."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from services.common.grpc.interceptor import PlatformInterceptor

log = logging.getLogger("partybuilding.server")

# One request message at most 4 MiB (gRPC's own default, set here on purpose): a bigger file is
# sent as a client stream of chunks, each one message. Repeated fields and strings inside a
# message have their own bounds (services/common/bounds.py).
MAX_REQUEST_BYTES = 4 * 1024 * 1024

OPTIONS = [("grpc.max_receive_message_length", MAX_REQUEST_BYTES)]


class Mount:
    """One gRPC service to host: how to add it, its servicer, its full name for health/reflection."""

    def __init__(self, add: Callable, servicer, full_name: str):
        self.add, self.servicer, self.full_name = add, servicer, full_name


def create_server(address: str, mounts: list[Mount], interceptor: PlatformInterceptor,
                  max_workers: int = 32, reuse_port: bool = False) -> tuple[grpc.Server, int, health.HealthServicer]:
    """`reuse_port`: share the port with the other server processes (services/common/grpc/processes.py);
    otherwise a port already taken is an error, not a second server beside the first."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="rpc"),
        interceptors=[interceptor], options=[*OPTIONS, ("grpc.so_reuseport", int(reuse_port))],
    )
    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for mount in mounts:
        mount.add(mount.servicer, server)
        health_servicer.set(mount.full_name, health_pb2.HealthCheckResponse.SERVING)
    health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    names = [m.full_name for m in mounts] + [health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
                                            reflection.SERVICE_NAME]
    reflection.enable_server_reflection(names, server)
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot bind gRPC port {address} / 无法监听端口 {address}")
    return server, port, health_servicer


def serve_until_signalled(server: grpc.Server, health_servicer: health.HealthServicer, grace: float = 10.0,
                          on_stop: Callable[[], None] | None = None,
                          on_start: Callable[[], None] | None = None) -> None:
    """Serve until SIGTERM/SIGINT (`on_start` runs once the server serves); then report
    NOT_SERVING, drain for `grace` seconds, stop."""
    stopping = threading.Event()

    def _stop(signum, _frame):
        log.info("shutting down", extra={"fields": {"signal": signum}})
        stopping.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    server.start()
    if on_start:
        on_start()
    stopping.wait()
    health_servicer.enter_graceful_shutdown()
    server.stop(grace).wait()
    if on_stop:
        on_stop()
