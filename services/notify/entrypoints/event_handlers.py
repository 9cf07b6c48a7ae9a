"""What the notify service consumes: the organization's events, into its directory
(services/common/directory, docs/directory.md), and the points, assessment and organization
events it turns into messages (service_layer/event_messages.py, docs/notify-events.md).
Imports no grpc: the nameko worker loads it."""

from __future__ import annotations

from services.common.directory import directory_handlers
from services.notify.entrypoints.runtime import uow_factory
from services.notify.service_layer.event_messages import message_handlers

__all__ = ["HANDLERS", "uow_factory"]

# {(producer, type): handler}: the organization's events keep the directory current, so that
# recipients resolve against the tree as it is now; the others become messages.
HANDLERS = {**directory_handlers(), **message_handlers()}
