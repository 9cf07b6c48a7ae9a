"""The points unit of work: repositories over one tenant-bound transaction."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.directory import Directory
from services.common.uow import ServiceUnitOfWorkFactory, SqlUnitOfWork, UniqueKey
from services.points.adapters import tables
from services.points.adapters.ledger_queries import LedgerQueries
from services.points.adapters.repositories.exchange import ExchangeRepository
from services.points.adapters.repositories.ledger import LedgerRepository
from services.points.adapters.repositories.rule_sets import RuleSetRepository
from services.points.adapters.repositories.wallets import WalletRepository


class PointsUnitOfWork(SqlUnitOfWork):
    rule_sets: RuleSetRepository
    ledger: LedgerRepository
    ledger_queries: LedgerQueries  # the ledger's read side
    directory: Directory  # the organization as this service knows it: units, members, posts
    exchange: ExchangeRepository  # stores, goods, redemptions (爱心超市)
    wallets: WalletRepository  # each member's spendable points
    organization = None  # the organization's client the directory reads through on a miss

    # What the loser of a race on each natural key is told: what the use case's own check says.
    unique_keys = {
        "rule_sets": UniqueKey("RULE_SET_EXISTS", "该积分规则已存在", "a rule set with this id already exists"),
        "rule_set_revisions": UniqueKey("RULE_SET_CHANGED", "积分规则正被他人同时修改，请刷新后重试",
                                        "the rule set was changed at the same time; read it again and retry"),
        # The chain head serialises a county's ledger writes; these keys are the second wall.
        "entries": UniqueKey("ALREADY_REVERSED", "该条目已撤销", "the entry is already reversed"),
        "entry_decisions": UniqueKey("ENTRY_NOT_PENDING", "该条目已审核", "the entry was already approved or rejected"),
    }

    def commit(self) -> None:
        self.ledger.flush()  # a projection write held by the ledger is part of this transaction
        super().commit()

    def _open(self, conn: Connection) -> None:
        self.rule_sets = RuleSetRepository(conn, self.tenant)
        self.ledger = LedgerRepository(conn, self.tenant)
        self.ledger_queries = LedgerQueries(conn, self.tenant, tables.directory)
        self.directory = Directory(conn, tables.directory, self.tenant, self.organization)
        self.exchange = ExchangeRepository(conn, self.tenant)
        self.wallets = WalletRepository(conn, self.tenant)


class PointsUnitOfWorkFactory(ServiceUnitOfWorkFactory):
    unit_of_work = PointsUnitOfWork
    idempotency = tables.common["idempotency_keys"]

    def __call__(self, tenant: str, write: bool = True) -> PointsUnitOfWork:
        return super().__call__(tenant, write)
