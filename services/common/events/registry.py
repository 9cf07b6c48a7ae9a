"""Where services declare what they consume.

A service that consumes events provides `services/<svc>/entrypoints/event_handlers.py` with
`HANDLERS = {(producer, type): handler}` and `uow_factory(engine)`; a handler(envelope,
uow_factory) calls the same service_layer functions as its gRPC servicer, opening its unit of
work before anything else (that is where a duplicate is detected). The nameko worker and the embedded bus both
build their consumers from here, so the wiring differs and the handlers do not. The broker
topology (which queues must exist before the relay publishes) is read from here too.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

from services.common.events.consumer import EventConsumer
from services.common.events.topology import Topology


def handlers_module(service: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"services.{service}.entrypoints.event_handlers")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith(f"services.{service}"):
            return None
        raise


def consumer_from_module(module: ModuleType, name: str, engine, uow_factory, **retry) -> EventConsumer:
    """An EventConsumer over a module's HANDLERS (and CONSUMER name, if it sets one)."""
    return EventConsumer(getattr(module, "CONSUMER", name), engine, uow_factory, module.HANDLERS, **retry)


def consumer_for(runtime, **retry) -> EventConsumer | None:
    """The consumer a hosted service declares, or None when it consumes nothing."""
    module = handlers_module(runtime.name)
    if module is None or not getattr(module, "HANDLERS", None):
        return None
    return consumer_from_module(module, runtime.name, runtime.engine, runtime.uow_factory, **retry)


def extra_handler_modules() -> list[ModuleType]:
    """Handler modules outside the services (a test consumer, a tool), named in PB_EVENT_HANDLERS."""
    names = filter(None, (n.strip() for n in os.environ.get("PB_EVENT_HANDLERS", "").split(",")))
    return [importlib.import_module(n) for n in names]


def registered_topology(services: tuple[str, ...] | list[str]) -> Topology:
    """Exchanges of `services` and the queues of every consumer they (or PB_EVENT_HANDLERS) declare."""
    modules = [(s, handlers_module(s)) for s in services]
    modules += [(m.__name__, m) for m in extra_handler_modules()]
    consumers = [(getattr(m, "CONSUMER", name), sorted(m.HANDLERS))
                 for name, m in modules if m is not None and getattr(m, "HANDLERS", None)]
    return Topology.of(services, consumers)
