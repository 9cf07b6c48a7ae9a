"""What the points service consumes: the organization's events, into its directory
(services/common/directory, docs/directory.md). Imports no grpc: the nameko worker loads it."""

from __future__ import annotations

from services.points.entrypoints.runtime import uow_factory

__all__ = ["HANDLERS", "uow_factory"]

# {(producer, type): handler}; the directory's handlers join when the directory module is wired.
HANDLERS: dict = {}
