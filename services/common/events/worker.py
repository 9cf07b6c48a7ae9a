"""The nameko worker (事件消费进程): a consumer's handlers as nameko `@event_handler` entrypoints.

Runs under `nameko run` (eventlet), never inside a grpcio process. Each (producer, type)
becomes one durable queue `evt-<producer>-<type>--<consumer>.<method>`; a message is acked
only after `EventConsumer.deliver` has applied, skipped or parked it, so a worker killed
mid-handler leaves the message to be redelivered.

`nameko run services.common.events.worker` hosts every service named in PB_WORKER_SERVICES
(comma-separated) that declares handlers; tests and new services can build their own class
with `nameko_service`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

from nameko.events import SERVICE_POOL, event_handler
from nameko.extensions import DependencyProvider

from services.common.events.consumer import EventConsumer
from services.common.events.topology import Topology, handler_method_name

log = logging.getLogger("partybuilding.events.worker")


def cooperative_database_waits() -> None:
    """Make psycopg wait for the server in a way eventlet can switch on.

    psycopg picks its C wait loop unless *gevent* patched select; under nameko's eventlet that
    loop blocks the whole hub, so one query stalls every greenthread (AMQP heartbeats too) and
    handlers run strictly one after another. Its select() loop is green once eventlet patched
    select, which `nameko run` does before importing this module.
    """
    from eventlet import patcher

    if patcher.is_monkey_patched("select"):
        import psycopg.waiting

        psycopg.waiting.wait = psycopg.waiting.wait_select


cooperative_database_waits()


class ConsumerProvider(DependencyProvider):
    """Hands each worker the process's EventConsumer (built once, at container start)."""

    def __init__(self, build: Callable[[], EventConsumer], topology: Topology):
        self.build, self.topology = build, topology
        self.consumer: EventConsumer | None = None

    def setup(self) -> None:
        self._declare()
        self.consumer = self.build()
        port = int(os.environ.get("PB_METRICS_PORT") or 0)
        if port:
            from services.common.metrics import serve_metrics

            serve_metrics(port)

    def _declare(self) -> None:
        """The same declaration as `pbctl events declare`, so a worker deployed on its own never
        depends on someone having run it; a broker not up yet is waited for, as nameko does."""
        delay = 0.5
        while True:
            try:
                self.topology.declare(self.container.config["AMQP_URI"])
                return
            except Exception as exc:  # noqa: BLE001 - any failure means: the broker is not up yet
                log.warning("declaring the topology failed; retrying in %.1fs: %s", delay, exc)
                time.sleep(delay)
                delay = min(delay * 2, 5.0)

    def stop(self) -> None:
        if self.consumer is not None:
            self.consumer.engine.dispose()

    def get_dependency(self, worker_ctx) -> EventConsumer:
        return self.consumer


def nameko_service(name: str, subscriptions: list[tuple[str, str]],
                   build: Callable[[], EventConsumer]) -> type:
    """A nameko service class named `name` with one reliable event handler per subscription."""

    def entrypoint(producer: str, event_type: str):
        # requeue_on_error: deliver() only raises when it could not even park the event
        # (database down), and then the broker must keep it.
        @event_handler(producer, event_type, handler_type=SERVICE_POOL, reliable_delivery=True,
                       requeue_on_error=True)
        def handle(self, body) -> None:
            self.consumer.deliver(body)

        handle.__name__ = handler_method_name(event_type)
        return handle

    topology = Topology.of([], [(name, subscriptions)])
    attrs: dict = {"name": name, "consumer": ConsumerProvider(build, topology)}
    for producer, event_type in subscriptions:
        attrs[handler_method_name(event_type)] = entrypoint(producer, event_type)
    return type(f"{name.title().replace('-', '').replace('_', '')}Worker", (), attrs)


def _services_from_env() -> dict[str, type]:
    # No build_runtime here: it imports the gRPC servicer, and grpcio must stay out of this process.
    from services.common.config import Settings
    from services.common.db import make_engine
    from services.common.events.registry import consumer_from_module, handlers_module

    settings = Settings.from_env() if os.environ.get("PB_WORKER_SERVICES") else None
    found = {}
    for service in filter(None, os.environ.get("PB_WORKER_SERVICES", "").split(",")):
        module = handlers_module(service)
        if module is None or not getattr(module, "HANDLERS", None):
            continue

        def build(service=service, module=module) -> EventConsumer:
            engine = make_engine(settings.database_url_for(service), service)
            return consumer_from_module(module, service, engine, module.uow_factory(engine))

        name = getattr(module, "CONSUMER", service)
        cls = nameko_service(name, sorted(module.HANDLERS), build)
        found[cls.__name__] = cls
    return found


globals().update(_services_from_env())
