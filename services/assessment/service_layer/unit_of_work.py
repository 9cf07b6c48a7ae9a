"""The assessment unit of work: repositories over one tenant-bound transaction.

One repository attribute per aggregate; rounds, results and cases add theirs in `_open`.
"""

from __future__ import annotations

from sqlalchemy import Connection

from services.assessment.adapters import tables
from services.assessment.adapters.case_owners import CaseOwners
from services.assessment.adapters.repositories.cases import CaseRepository
from services.assessment.adapters.repositories.results import ResultRepository
from services.assessment.adapters.repositories.rounds import RoundRepository
from services.assessment.adapters.repositories.schemes import SchemeRepository
from services.assessment.adapters.round_candidates import RoundCandidates
from services.common.directory import Directory
from services.common.uow import ServiceUnitOfWorkFactory, SqlUnitOfWork, UniqueKey


class AssessmentUnitOfWork(SqlUnitOfWork):
    schemes: SchemeRepository
    cases: CaseRepository
    results: ResultRepository
    directory: Directory  # the organization as this service knows it: units, members, posts
    rounds: RoundRepository  # rounds, their frozen targets, scores, negative items, objections, trail
    round_candidates: RoundCandidates  # who a new round assesses, read from the directory
    case_owners: CaseOwners  # weak units and their secretaries, in bulk, read from the directory
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
        self.results = ResultRepository(conn, self.tenant)
        self.directory = Directory(conn, tables.directory, self.tenant, self.organization)
        self.rounds = RoundRepository(conn, self.tenant)
        self.round_candidates = RoundCandidates(conn, tables.directory, self.tenant)
        self.case_owners = CaseOwners(conn, tables.directory, self.directory)


class AssessmentUnitOfWorkFactory(ServiceUnitOfWorkFactory):
    unit_of_work = AssessmentUnitOfWork
    idempotency = tables.common["idempotency_keys"]

    def __call__(self, tenant: str, write: bool = True) -> AssessmentUnitOfWork:
        return super().__call__(tenant, write)
