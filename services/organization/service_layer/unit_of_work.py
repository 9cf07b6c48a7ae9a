"""The organization unit of work: repositories over one tenant-bound transaction."""

from __future__ import annotations

from partybuilding.organization.v1 import organization_events_pb2
from sqlalchemy import Connection, Engine

from services.common.outbox import OutboxWriter
from services.common.uow import Idempotency, SqlUnitOfWork
from services.organization.adapters import repository, tables
from services.organization.adapters.operations import OperationRepository

PRODUCER = "organization"


class OrgUnitOfWork(SqlUnitOfWork):
    tenants: repository.TenantRepository
    units: repository.UnitRepository
    members: repository.MemberRepository
    posts: repository.PostRepository
    groupings: repository.GroupingRepository
    operations: OperationRepository

    def _open(self, conn: Connection) -> None:
        self.tenants = repository.TenantRepository(conn)
        self.units = repository.UnitRepository(conn, self.tenant)
        self.members = repository.MemberRepository(conn, self.tenant)
        self.posts = repository.PostRepository(conn, self.tenant)
        self.groupings = repository.GroupingRepository(conn, self.tenant)
        self.operations = OperationRepository(conn, self.tenant)

    def refresh_tree_statistics(self) -> None:
        """After a county import (see SqlUnitOfWork.analyze)."""
        self.analyze(tables.units, tables.members, tables.posts)

    def other_tenant(self, code: str) -> OrgUnitOfWork:
        """Repositories of another tenant in this same transaction (operator transfers)."""
        view = object.__new__(OrgUnitOfWork)
        view.tenant, view.conn = code, self.conn
        view.idempotency = Idempotency(self.conn, self.idempotency_table, code)
        view._open(self.conn)
        return view


class OrgUnitOfWorkFactory:
    """Hands out units of work; the entrypoints hold one per process."""

    def __init__(self, engine: Engine, read_engine: Engine | None = None):
        self.engine, self.read_engine = engine, read_engine
        self.outbox = OutboxWriter(tables.outbox, PRODUCER, organization_events_pb2)

    def __call__(self, tenant: str, write: bool = True) -> OrgUnitOfWork:
        return OrgUnitOfWork(self.engine, self.outbox, tables.common["idempotency_keys"], tenant, write,
                             self.read_engine)
