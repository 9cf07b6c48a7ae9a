"""What the assessment service consumes: the organization's events, into its directory
(services/common/directory, docs/directory.md). Imports no grpc: the nameko worker loads it."""

from __future__ import annotations

from services.assessment.entrypoints.runtime import uow_factory
from services.common.directory import directory_handlers

__all__ = ["HANDLERS", "uow_factory"]

# {(producer, type): handler}: the organization's events keep the directory current.
HANDLERS = {**directory_handlers()}
