"""Throughput across processes: servers of N processes on one port (SO_REUSEPORT, as
PB_GRPC_PROCESSES runs them) and a load of several client processes, so that neither side's GIL
caps what is measured.

`python -m bench.process_load platform|echo N` serves; it prints its port once per started process,
and stops on SIGTERM. `throughput(...)` runs the client processes (spawned: the bench's own
process already holds gRPC channels, which a fork must not inherit), each with its own channels,
and sums their calls.
"""

from __future__ import annotations

import itertools
import multiprocessing
import signal
import subprocess
import sys
import threading

from bench.org_bench import ECHO_METHOD, _load

ECHO_SERVICE = ECHO_METHOD.split("/")[1]
GET_UNIT = "/partybuilding.organization.v1.OrganizationService/GetUnit"
CLIENT_PROCESSES = 4
CHANNELS_PER_CLIENT = 4  # separate TCP connections, spread by the kernel over the server processes
IN_FLIGHT_PER_CLIENT = 16


# ---------------------------------------------------------------- servers

def _serve(server, port: int) -> None:
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    server.start()
    print(port, flush=True)
    stopping.wait()
    server.stop(None)


def _platform_process(_index: int, port: int) -> None:
    """One organization server process with its own engines, as `pbctl serve` builds it."""
    from services.common.config import Settings
    from services.platform import build_runtime, build_server

    settings = Settings.from_env()
    server, bound, _ = build_server(settings, [build_runtime("organization", settings)], f"[::]:{port}",
                                    reuse_port=True)
    _serve(server, bound)


def _echo_process(_index: int, port: int) -> None:
    """The floor: grpcio answering the request bytes as they came, on the same thread pool size."""
    from concurrent import futures

    import grpc

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=32), options=[("grpc.so_reuseport", 1)])
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
        ECHO_SERVICE, {"Echo": grpc.unary_unary_rpc_method_handler(lambda request, context: request)}),))
    _serve(server, server.add_insecure_port(f"[::]:{port}"))


def spawn(role: str, processes: int, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    """A server of `processes` processes; returns once every one of them serves."""
    proc = subprocess.Popen([sys.executable, "-m", "bench.process_load", role, str(processes)],
                            stdout=subprocess.PIPE, env=env, text=True)
    ports = {int(proc.stdout.readline()) for _ in range(processes)}
    if len(ports) != 1:
        raise RuntimeError(f"{role} server processes bound different ports: {sorted(ports)}")
    return proc, ports.pop()


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


# ---------------------------------------------------------------- clients

class _Rotating:
    """Calls that `_load` starts as one: each next call goes out on the next channel."""

    def __init__(self, calls: list):
        self.calls, self.turn = calls, itertools.count()

    def future(self, request, **options):
        return self.calls[next(self.turn) % len(self.calls)].future(request, **options)


def _client(target: str, method: str, payloads: list[bytes], md: list, seconds: float, ready, results) -> None:
    """One client process: IN_FLIGHT_PER_CLIENT calls always outstanding over its channels."""
    import grpc

    channels = [grpc.insecure_channel(target, options=[("grpc.use_local_subchannel_pool", 1)])
                for _ in range(CHANNELS_PER_CLIENT)]
    for channel in channels:
        grpc.channel_ready_future(channel).result(timeout=30)
    calls = [channel.unary_unary(method) for channel in channels]
    for call in calls:  # warm the server processes' pools and caches before the clock starts
        for payload in payloads[:20]:
            call(payload, metadata=md, timeout=30)
    ready.wait()  # every client connected: the clock starts for all at once
    # The bench's closed loop, spread over this client's channels and cycling through the payloads.
    rate, _latencies, failed, first = _load(_Rotating(calls), itertools.cycle(payloads).__next__, md, seconds,
                                            IN_FLIGHT_PER_CLIENT)
    results.put((rate, failed, first))
    for channel in channels:
        channel.close()


def throughput(port: int, method: str, payloads: list[bytes], md: list, seconds: float) -> tuple[float, int, str]:
    """(calls/s summed over CLIENT_PROCESSES client processes, failed calls, the first failure)."""
    spawn_context = multiprocessing.get_context("spawn")
    ready, results = spawn_context.Barrier(CLIENT_PROCESSES + 1), spawn_context.Queue()
    clients = [spawn_context.Process(target=_client, args=(f"127.0.0.1:{port}", method, payloads, md, seconds,
                                                           ready, results)) for _ in range(CLIENT_PROCESSES)]
    for client in clients:
        client.start()
    ready.wait(timeout=120)
    got = [results.get(timeout=seconds + 120) for _ in clients]
    for client in clients:
        client.join()
    return (sum(rate for rate, _, _ in got), sum(failed for _, failed, _ in got),
            next((first for *_, first in got if first), ""))


if __name__ == "__main__":
    from services.common.grpc.processes import serve_in_processes

    role, count = sys.argv[1], int(sys.argv[2])
    sys.exit(serve_in_processes(count, 0, {"platform": _platform_process, "echo": _echo_process}[role]))
