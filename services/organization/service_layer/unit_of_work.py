"""The organization unit of work: repositories over one tenant-bound transaction."""

from __future__ import annotations

from partybuilding.organization.v1 import organization_events_pb2
from sqlalchemy import Connection, Engine

from services.common.outbox import OutboxWriter
from services.common.uow import Idempotency, SqlUnitOfWork, UniqueKey
from services.organization.adapters import repository, tables

PRODUCER = "organization"
MEMBER_EXISTS = UniqueKey("MEMBER_EXISTS", "该身份证号的党员已在本县登记",
                          "a member with this ID number is already recorded in this county")


class OrgUnitOfWork(SqlUnitOfWork):
    tenants: repository.TenantRepository
    units: repository.UnitRepository
    members: repository.MemberRepository
    posts: repository.PostRepository
    groupings: repository.GroupingRepository

    # What the loser of a race on each natural key is told: what the use case's own check says.
    unique_keys = {
        "tenants": UniqueKey("TENANT_EXISTS", "该县已存在", "the tenant already exists"),
        "members": MEMBER_EXISTS,
    }

    def _open(self, conn: Connection) -> None:
        self.tenants = repository.TenantRepository(conn)
        self.units = repository.UnitRepository(conn, self.tenant)
        self.members = repository.MemberRepository(conn, self.tenant)
        self.posts = repository.PostRepository(conn, self.tenant)
        self.groupings = repository.GroupingRepository(conn, self.tenant)

    def refresh_tree_statistics(self) -> None:
        """After a county import (see SqlUnitOfWork.analyze)."""
        self.analyze(tables.units, tables.members, tables.posts)

    def other_tenant(self, code: str) -> OrgUnitOfWork:
        """Repositories of another tenant in this same transaction (operator transfers)."""
        view = object.__new__(OrgUnitOfWork)
        view.tenant, view.conn = code, self.conn
        view.idempotency = Idempotency(self.conn, self.idempotency_table, code)
        view._open(self.conn)
        # Its events are this transaction's, under the other tenant.
        view.emit = lambda event, tenant=None: self.emit(event, tenant or code)
        return view


class OrgUnitOfWorkFactory:
    """Hands out units of work; the entrypoints hold one per process."""

    def __init__(self, engine: Engine, read_engine: Engine | None = None):
        self.engine, self.read_engine = engine, read_engine
        self.outbox = OutboxWriter(tables.outbox, PRODUCER, organization_events_pb2)

    def __call__(self, tenant: str, write: bool = True) -> OrgUnitOfWork:
        return OrgUnitOfWork(self.engine, self.outbox, tables.common["idempotency_keys"], tenant, write,
                             self.read_engine)
