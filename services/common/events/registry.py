"""Where services declare what they consume.

A service that consumes events provides `services/<svc>/entrypoints/event_handlers.py` with
`HANDLERS = {(producer, type): handler}` and `uow_factory(engine)`; a handler(envelope,
uow_factory) calls the same service_layer functions as its gRPC servicer. The nameko worker and the embedded bus both
build their consumers from here, so the wiring differs and the handlers do not.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from services.common.events.consumer import EventConsumer


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
