"""The organization unit of work: repositories over one tenant-bound transaction."""

from __future__ import annotations

from sqlalchemy import Connection, Engine

from services.common.outbox import OutboxWriter
from services.common.pagination import PageTokens
from services.common.sealing import DataKey
from services.common.uow import Idempotency, SqlUnitOfWork, UniqueKey
from services.organization.adapters import tables
from services.organization.adapters.queries import MemberView, OrgQueries, PostView, UnitView
from services.organization.adapters.repositories.groupings import GroupingRepository
from services.organization.adapters.repositories.members import MemberRepository
from services.organization.adapters.repositories.operations import OperationRepository
from services.organization.adapters.repositories.posts import PostRepository
from services.organization.adapters.repositories.tenants import TenantRepository
from services.organization.adapters.repositories.units import UnitRepository

__all__ = ["MemberView", "OrgUnitOfWork", "OrgUnitOfWorkFactory", "PostView", "UnitView"]  # the views use cases answer

MEMBER_EXISTS = UniqueKey("MEMBER_EXISTS", "该身份证号的党员已在本县登记",
                          "a member with this ID number is already recorded in this county")
# Which county is not said: counties do not learn about each other's members.
MEMBER_ACTIVE_ELSEWHERE = UniqueKey(
    "MEMBER_ACTIVE_ELSEWHERE", "该身份证号的党员已在其他县登记，请办理组织关系转接",
    "a member with this ID number is active in another county; transfer the relationship instead")


class OrgUnitOfWork(SqlUnitOfWork):
    tenants: TenantRepository
    units: UnitRepository
    members: MemberRepository
    posts: PostRepository
    groupings: GroupingRepository
    operations: OperationRepository
    queries: OrgQueries  # the read side: what Gets and Lists answer, and what writes answer

    # What the loser of a race on each natural key is told: what the use case's own check says.
    unique_keys = {
        "tenants": UniqueKey("TENANT_EXISTS", "该县已存在", "the tenant already exists"),
        "members": MEMBER_EXISTS,
        "person_registry": MEMBER_ACTIVE_ELSEWHERE,
    }

    def _open(self, conn: Connection) -> None:
        self.tenants = TenantRepository(conn)
        self.units = UnitRepository(conn, self.tenant)
        self.members = MemberRepository(conn, self.tenant, self.data_key)
        self.posts = PostRepository(conn, self.tenant)
        self.groupings = GroupingRepository(conn, self.tenant)
        self.operations = OperationRepository(conn, self.tenant)
        self.queries = OrgQueries(conn, self.tenant, self.data_key)

    def refresh_tree_statistics(self) -> None:
        """After a county import (see SqlUnitOfWork.analyze)."""
        self.analyze(tables.units, tables.members, tables.posts)

    def other_tenant(self, code: str) -> OrgUnitOfWork:
        """Repositories of another tenant in this same transaction (operator transfers)."""
        view = object.__new__(OrgUnitOfWork)
        view.tenant, view.conn, view.data_key = code, self.conn, self.data_key
        view.idempotency = Idempotency(self.conn, self.idempotency_table, code)
        view._open(self.conn)
        # Its events are this transaction's, under the other tenant.
        view.emit = lambda event, tenant=None: self.emit(event, tenant or code)
        return view


class OrgUnitOfWorkFactory:
    """Hands out units of work; the entrypoints hold one per process.

    The wiring (entrypoints/runtime.py) hands in the OutboxWriter, which knows the generated
    event contracts, so the service layer imports no protobuf.
    """

    def __init__(self, engine: Engine, outbox: OutboxWriter, read_engine: Engine | None = None,
                 data_key: DataKey | None = None, page_tokens: PageTokens | None = None):
        self.engine, self.outbox, self.read_engine, self.data_key = engine, outbox, read_engine, data_key
        self.page_tokens = page_tokens  # the listings' (pagination.Page); the wiring hands it in

    def __call__(self, tenant: str, write: bool = True) -> OrgUnitOfWork:
        return OrgUnitOfWork(self.engine, self.outbox, tables.common["idempotency_keys"], tenant, write,
                             self.read_engine, self.data_key)
