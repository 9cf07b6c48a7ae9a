"""The assessment unit of work: repositories over one tenant-bound transaction.

One repository attribute per aggregate; rounds, results and cases add theirs in `_open`.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine

from services.assessment.adapters import tables
from services.assessment.adapters.repositories.cases import CaseRepository
from services.assessment.adapters.repositories.rounds import RoundRepository
from services.assessment.adapters.repositories.schemes import SchemeRepository
from services.assessment.adapters.round_candidates import RoundCandidates
from services.common.directory import Directory
from services.common.outbox import OutboxWriter
from services.common.pagination import PageTokens
from services.common.uow import SqlUnitOfWork, UniqueKey


class AssessmentUnitOfWork(SqlUnitOfWork):
    schemes: SchemeRepository
    cases: CaseRepository
    directory: Directory  # the organization as this service knows it: units, members, posts
    rounds: RoundRepository  # rounds, their frozen targets, scores, negative items, objections, trail
    round_candidates: RoundCandidates  # who a new round assesses, read from the directory
    organization = None  # the organization's client the directory reads through on a miss

    # What the loser of a race on each natural key is told: what the use case's own check says.
    unique_keys = {
        "schemes": UniqueKey("SCHEME_EXISTS", "该考核方案已存在", "a scheme with this id already exists"),
        "scheme_revisions": UniqueKey("SCHEME_CHANGED", "考核方案正被他人同时修改，请刷新后重试",
                                      "the scheme was changed at the same time; read it again and retry"),
        # Rounds: two RecordNegativeItem of one code racing past the use case's own check.
        "round_negative_items": UniqueKey("NEGATIVE_ITEM_RECORDED", "该负面清单事项已记录",
                                          "this negative item is already recorded against the target"),
    }

    def _open(self, conn: Connection) -> None:
        self.schemes = SchemeRepository(conn, self.tenant)
        self.cases = CaseRepository(conn, self.tenant)
        self.directory = Directory(conn, tables.directory, self.tenant, self.organization)
        self.rounds = RoundRepository(conn, self.tenant)
        self.round_candidates = RoundCandidates(conn, tables.directory, self.tenant)


class AssessmentUnitOfWorkFactory:
    """Hands out units of work; the entrypoints hold one per process.

    The wiring (entrypoints/runtime.py) hands in the OutboxWriter, which knows the generated
    event contracts, so the service layer imports no protobuf.
    """

    def __init__(self, engine: Engine, outbox: OutboxWriter, read_engine: Engine | None = None,
                 page_tokens: PageTokens | None = None, organization=None):
        self.engine, self.outbox, self.read_engine = engine, outbox, read_engine
        self.page_tokens = page_tokens  # the listings' (pagination.Page); the wiring hands it in
        # The organization's gRPC client the directory reads through on a miss (None: no read-through).
        self.organization = organization

    def __call__(self, tenant: str, write: bool = True) -> AssessmentUnitOfWork:
        uow = AssessmentUnitOfWork(self.engine, self.outbox, tables.common["idempotency_keys"], tenant, write,
                                   self.read_engine)
        uow.organization = self.organization
        return uow
