"""Several gRPC server processes on one port (PB_GRPC_PROCESSES), as grpc's multiprocessing example
does: the parent reserves the port with SO_REUSEPORT and forks the workers before it creates any
gRPC object; each worker builds its own server, engines and pools and binds the same port with
`grpc.so_reuseport`, and the kernel spreads incoming connections over them. One Python process
is held to one core by its GIL; N processes use N.

The parent only supervises: SIGTERM or SIGINT is passed to every worker, each drains as a single
server does (health NOT_SERVING, then `grace` seconds), and the parent exits once all have. A
worker that dies takes the others down with it (exit status 1), so that the orchestrator restarts
the whole pod rather than run it short of a process.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import signal
import socket
import threading
from collections.abc import Callable, Iterator

log = logging.getLogger("partybuilding.processes")

# How long the parent waits for a worker past its own drain before killing it.
EXTRA_WAIT_SECONDS = 5.0


@contextlib.contextmanager
def reserved_port(port: int) -> Iterator[int]:
    """The port, bound (not listening) with SO_REUSEPORT while the workers bind it too: with port 0
    the kernel picks one, and no other program can take it between the workers' binds."""
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind(("::", port))
        yield sock.getsockname()[1]
    finally:
        sock.close()


def serve_in_processes(count: int, port: int, serve_one: Callable[[int, int], None], grace: float = 10.0) -> int:
    """Run `serve_one(index, port)` in `count` forked workers sharing `port` (in this process when
    `count` is 1); returns the exit status. Worker 0 is the one that runs what must run once."""
    if count == 1:
        serve_one(0, port)
        return 0
    fork = multiprocessing.get_context("fork")
    stopping = threading.Event()
    with reserved_port(port) as bound:
        workers = [fork.Process(target=serve_one, args=(index, bound), name=f"grpc-{index}") for index in range(count)]
        for worker in workers:
            worker.start()
        log.info("serving in processes", extra={"fields": {"port": bound, "pids": [w.pid for w in workers]}})

        def _stop(signum, _frame):
            log.info("stopping server processes", extra={"fields": {"signal": signum}})
            stopping.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        while not stopping.is_set() and all(w.is_alive() for w in workers):
            stopping.wait(0.2)
        failed = [w for w in workers if not w.is_alive() and w.exitcode != 0]
        for worker in workers:
            if worker.is_alive():
                worker.terminate()  # SIGTERM: the worker drains as a single server would
        for worker in workers:
            worker.join(grace + EXTRA_WAIT_SECONDS)
            if worker.is_alive():
                worker.kill()
                worker.join()
    if failed:
        log.error("a server process exited", extra={"fields": {
            "processes": {w.name: w.exitcode for w in failed}}})
        return 1
    return 0 if all(w.exitcode == 0 for w in workers) else 1
