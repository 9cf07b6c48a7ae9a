"""The notify unit of work: repositories over one tenant-bound transaction."""

from __future__ import annotations

from sqlalchemy import Connection, Engine

from services.common.directory import Directory
from services.common.outbox import OutboxWriter
from services.common.pagination import PageTokens
from services.common.uow import SqlUnitOfWork
from services.notify.adapters import tables
from services.notify.adapters.queries import NotifyQueries
from services.notify.adapters.repositories.notices import NoticeRepository


class NotifyUnitOfWork(SqlUnitOfWork):
    notices: NoticeRepository  # notices and each addressed unit's copy
    queries: NotifyQueries  # the read side: inboxes, listings
    directory: Directory  # the organization as this service knows it: units, members, posts
    organization = None  # the organization's client the directory reads through on a miss

    def _open(self, conn: Connection) -> None:
        self.directory = Directory(conn, tables.directory, self.tenant, self.organization)
        self.notices = NoticeRepository(conn, self.tenant)
        self.queries = NotifyQueries(conn, self.tenant, self.directory)


class NotifyUnitOfWorkFactory:
    """Hands out units of work; the entrypoints hold one per process.

    The wiring (entrypoints/runtime.py) hands in the OutboxWriter, which knows the generated
    event contracts, so the service layer imports no protobuf.
    """

    def __init__(self, engine: Engine, outbox: OutboxWriter, read_engine: Engine | None = None,
                 page_tokens: PageTokens | None = None, organization=None):
        self.engine, self.outbox, self.read_engine = engine, outbox, read_engine
        self.page_tokens = page_tokens  # the listings' (pagination.Page)
        # The organization's gRPC client the directory reads through on a miss (None: no read-through).
        self.organization = organization

    def __call__(self, tenant: str, write: bool = True) -> NotifyUnitOfWork:
        uow = NotifyUnitOfWork(self.engine, self.outbox, tables.common["idempotency_keys"], tenant, write,
                               self.read_engine)
        uow.organization = self.organization
        return uow
