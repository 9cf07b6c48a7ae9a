"""Rectification cases (问题台账), their problems and the problems' notes, tenant-scoped.

A case is read whole (its problems, and their notes unless a listing leaves them out). Every
write of a problem also writes its case's row under the version it was read at, so two changes
racing on one case never both commit: the loser is told to read again (ABORTED).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

from sqlalchemy import ColumnElement, Connection, and_, distinct, exists, insert, select, update

from services.assessment.adapters import tables
from services.assessment.domain.rectification import (
    SETTLED,
    Case,
    CaseState,
    Note,
    NoteKind,
    Owner,
    Problem,
    ProblemState,
)
from services.common.clock import as_utc

_cases, _problems, _notes = tables.cases, tables.case_problems, tables.case_notes
_SETTLED = sorted(state.value for state in SETTLED)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return as_utc(value) if value is not None else None


def _problem(row, notes: list[Note]) -> Problem:
    return Problem(row.number, row.description, tuple(json.loads(row.measures)), row.deadline,
                   Owner(row.owner_display_name, row.owner_member_id, row.owner_subject), ProblemState(row.state),
                   notes, row.closure_requested_by, row.closed_by, _utc(row.closed_at), row.overdue_announced,
                   row.version)


def _case(row, problems: list[Problem]) -> Case:
    return Case(row.tenant, row.id, row.unit_id, row.title, row.source_round, row.supervision_days,
                row.next_supervision_on, _utc(row.opened_at), row.opened_by, problems, CaseState(row.state),
                _utc(row.closed_at), row.version)


def _problem_values(problem: Problem) -> dict:
    return {"state": problem.state.value, "closure_requested_by": problem.closure_requested_by,
            "closed_by": problem.closed_by, "closed_at": problem.closed_at, "version": problem.version}


class CaseRepository:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    @staticmethod
    def unit_column() -> ColumnElement:
        """The case's unit, for a subtree condition (uow.directory.in_subtree)."""
        return _cases.c.unit_id

    # ------------------------------------------------------------ reads

    def get(self, case_id: str, *, lock: bool = False) -> Case | None:
        """One case with its problems and their notes; `lock` holds its row until the transaction ends."""
        query = select(_cases).where(_cases.c.tenant == self.tenant, _cases.c.id == case_id)
        row = self.conn.execute(query.with_for_update() if lock else query).first()
        if row is None:
            return None
        return _case(row, self._problems([case_id], notes=True)[case_id])

    def page(self, *, within: ColumnElement | None, state: CaseState | None, overdue_on: dt.date | None,
             before: str | None, limit: int) -> list[Case]:
        """Cases newest first (ids grow with time), without notes: those inside `within`, in `state`,
        with a problem overdue on `overdue_on`, created before the case `before`."""
        query = select(_cases).where(_cases.c.tenant == self.tenant)
        if within is not None:
            query = query.where(within)
        if state is not None:
            query = query.where(_cases.c.state == state.value)
        if overdue_on is not None:
            query = query.where(exists().where(
                _problems.c.tenant == _cases.c.tenant, _problems.c.case_id == _cases.c.id,
                _problems.c.state.notin_(_SETTLED), _problems.c.deadline < overdue_on))
        if before is not None:
            query = query.where(_cases.c.id < before)
        rows = self.conn.execute(query.order_by(_cases.c.id.desc()).limit(limit)).all()
        problems = self._problems([row.id for row in rows], notes=False)
        return [_case(row, problems[row.id]) for row in rows]

    def _problems(self, case_ids: list[str], *, notes: bool) -> dict[str, list[Problem]]:
        found: dict[str, list[Problem]] = defaultdict(list)
        if not case_ids:
            return found
        by_problem: dict[tuple[str, int], list[Note]] = defaultdict(list)
        if notes:
            for n in self.conn.execute(select(_notes).where(_notes.c.tenant == self.tenant,
                                                            _notes.c.case_id.in_(case_ids))
                                       .order_by(_notes.c.case_id, _notes.c.number, _notes.c.seq)):
                by_problem[(n.case_id, n.number)].append(Note(NoteKind(n.kind), n.text, n.author, as_utc(n.created_at)))
        for row in self.conn.execute(select(_problems).where(_problems.c.tenant == self.tenant,
                                                             _problems.c.case_id.in_(case_ids))
                                     .order_by(_problems.c.case_id, _problems.c.number)):
            found[row.case_id].append(_problem(row, by_problem[(row.case_id, row.number)]))
        return found

    # ------------------------------------------------------------ writes

    def add_all(self, cases: list[Case]) -> None:
        """Store new cases with their problems: one INSERT per table, however many cases."""
        if not cases:
            return
        self.conn.execute(insert(_cases), [
            {"tenant": self.tenant, "id": case.id, "unit_id": case.unit_id, "title": case.title,
             "source_round": case.source_round, "state": case.state.value, "supervision_days": case.supervision_days,
             "next_supervision_on": case.next_supervision_on, "opened_at": case.opened_at,
             "opened_by": case.opened_by, "closed_at": case.closed_at, "version": case.version}
            for case in cases])
        self.conn.execute(insert(_problems), [self._problem_row(case.id, p) for case in cases for p in case.problems])

    def _problem_row(self, case_id: str, p: Problem) -> dict:
        return {"tenant": self.tenant, "case_id": case_id, "number": p.number, "description": p.description,
                "measures": json.dumps(list(p.measures), ensure_ascii=False), "deadline": p.deadline,
                "owner_display_name": p.owner.display_name, "owner_member_id": p.owner.member_id,
                "owner_subject": p.owner.subject, "overdue_announced": p.overdue_announced, **_problem_values(p)}

    def save_move(self, case: Case, problem: Problem, read_version: int, *, added: bool = False) -> bool:
        """Write one problem whole (a move, a revision, a removal; `added`: a new one) with its
        newest note, and its case; False when the case changed since it was read at
        `read_version` (nothing written)."""
        moved = self.conn.execute(update(_cases).where(
            _cases.c.tenant == self.tenant, _cases.c.id == case.id, _cases.c.version == read_version,
        ).values(state=case.state.value, closed_at=case.closed_at, next_supervision_on=case.next_supervision_on,
                 version=case.version))
        if moved.rowcount != 1:
            return False
        row = self._problem_row(case.id, problem)
        if added:
            self.conn.execute(insert(_problems).values(**row))
        else:
            self.conn.execute(update(_problems).where(
                _problems.c.tenant == self.tenant, _problems.c.case_id == case.id, _problems.c.number == problem.number,
            ).values(**{k: v for k, v in row.items() if k not in ("tenant", "case_id", "number")}))
        note = problem.notes[-1]
        self.conn.execute(insert(_notes).values(
            tenant=self.tenant, case_id=case.id, number=problem.number, seq=len(problem.notes), kind=note.kind.value,
            text=note.text, author=note.by, created_at=note.at))
        return True

    # ------------------------------------------------------------ the daily sweep

    def tenants_with_open_cases(self) -> list[str]:
        """Counties with an open case (a transaction bound to every tenant)."""
        query = select(distinct(_cases.c.tenant)).where(_cases.c.state == CaseState.OPEN.value)
        return list(self.conn.execute(query.order_by(_cases.c.tenant)).scalars())

    def sweep_candidates(self, today: dt.date) -> list[str]:
        """Open cases whose supervision has come or with a problem overdue and not yet announced."""
        overdue = exists().where(
            _problems.c.tenant == _cases.c.tenant, _problems.c.case_id == _cases.c.id,
            _problems.c.state.notin_(_SETTLED), _problems.c.deadline < today,
            _problems.c.overdue_announced.is_(False))
        query = select(_cases.c.id).where(_cases.c.tenant == self.tenant, _cases.c.state == CaseState.OPEN.value,
                                          (_cases.c.next_supervision_on <= today) | overdue)
        return list(self.conn.execute(query.order_by(_cases.c.id)).scalars())

    def claim_overdue(self, case_id: str, number: int) -> bool:
        """Mark a problem's overdue announcement; False when another sweep already did."""
        return self.conn.execute(update(_problems).where(and_(
            _problems.c.tenant == self.tenant, _problems.c.case_id == case_id, _problems.c.number == number,
            _problems.c.overdue_announced.is_(False))).values(overdue_announced=True)).rowcount == 1

    def move_supervision(self, case_id: str, due: dt.date, following: dt.date) -> bool:
        """Move the next supervision from `due` to `following`; False when another sweep already did."""
        return self.conn.execute(update(_cases).where(
            _cases.c.tenant == self.tenant, _cases.c.id == case_id, _cases.c.next_supervision_on == due,
        ).values(next_supervision_on=following)).rowcount == 1
