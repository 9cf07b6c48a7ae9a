"""Stored results of a round: replaced whole when computed, read in rank order."""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import Connection, and_, delete, func, insert, or_, select

from services.assessment.adapters import tables as t
from services.assessment.domain.result_records import Previous, ResultRecord
from services.assessment.domain.result_rules import Carried
from services.common.clock import as_utc
from services.common.db import LIKE_ESCAPE, like_prefix

# Rows per INSERT: a province round (20,000 targets) goes in a few statements, never one per row.
INSERT_CHUNK = 1000


def _record(row) -> ResultRecord:
    previous = None
    if row.previous_round_id:
        previous = Previous(row.previous_round_id, row.previous_grade, row.previous_total_centi, row.previous_rank)
    return ResultRecord(
        target_id=row.target_id, unit_id=row.unit_id, member_id=row.member_id, township_id=row.township_id,
        unit_path=row.unit_path, display_name=row.display_name, final=bool(row.final),
        base_centi=row.base_centi, deductions_centi=row.deductions_centi, total_centi=row.total_centi,
        grade_before=row.grade_before, grade=row.grade, grade_index=row.grade_index,
        rank_in_township=row.rank_in_township, rank_in_scope=row.rank_in_scope, weak=bool(row.weak),
        holds_title=bool(row.holds_title), last_place_streak=row.last_place_streak,
        explanation=json.loads(row.explanation), previous=previous, computed_at=as_utc(row.computed_at),
    )


def _values(tenant: str, round_id: str, r: ResultRecord) -> dict:
    p = r.previous
    return {
        "tenant": tenant, "round_id": round_id, "target_id": r.target_id, "unit_id": r.unit_id,
        "member_id": r.member_id, "township_id": r.township_id, "unit_path": r.unit_path,
        "display_name": r.display_name, "final": r.final, "base_centi": r.base_centi,
        "deductions_centi": r.deductions_centi, "total_centi": r.total_centi, "grade_before": r.grade_before,
        "grade": r.grade, "grade_index": r.grade_index, "rank_in_township": r.rank_in_township,
        "rank_in_scope": r.rank_in_scope, "weak": r.weak, "holds_title": r.holds_title,
        "last_place_streak": r.last_place_streak,
        "explanation": json.dumps(r.explanation, ensure_ascii=False, separators=(",", ":")),
        "previous_round_id": p.round_id if p else "", "previous_grade": p.grade if p else "",
        "previous_total_centi": p.total_centi if p else None, "previous_rank": p.rank_in_scope if p else None,
        "computed_at": r.computed_at,
    }


class ResultRepository:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    def _of_round(self, round_id: str):
        r = t.results
        return and_(r.c.tenant == self.tenant, r.c.round_id == round_id)

    def replace(self, round_id: str, records: Iterable[ResultRecord]) -> None:
        """The round's results are these now (provisional ones are replaced by the next or the final)."""
        self.conn.execute(delete(t.results).where(self._of_round(round_id)))
        rows = [_values(self.tenant, round_id, record) for record in records]
        for start in range(0, len(rows), INSERT_CHUNK):
            self.conn.execute(insert(t.results), rows[start:start + INSERT_CHUNK])

    def get(self, round_id: str, target_id: str) -> ResultRecord | None:
        row = self.conn.execute(select(t.results).where(
            self._of_round(round_id), t.results.c.target_id == target_id)).first()
        return _record(row) if row else None

    def count(self, round_id: str) -> int:
        return self.conn.execute(select(func.count()).select_from(t.results).where(
            self._of_round(round_id))).scalar_one()

    def list(self, round_id: str, *, path_prefix: str = "/", township_id: str = "", grade: str = "",
             after: tuple[int, str] | None = None, limit: int | None = None) -> list[ResultRecord]:
        """In rank order (rank in scope, then target id), keyset on that pair."""
        r = t.results
        query = select(r).where(self._of_round(round_id))
        if path_prefix != "/":
            query = query.where(r.c.unit_path.like(like_prefix(path_prefix), escape=LIKE_ESCAPE))
        if township_id:
            query = query.where(r.c.township_id == township_id)
        if grade:
            query = query.where(r.c.grade == grade)
        if after:
            rank, target_id = after
            query = query.where(or_(r.c.rank_in_scope > rank,
                                    and_(r.c.rank_in_scope == rank, r.c.target_id > target_id)))
        query = query.order_by(r.c.rank_in_scope, r.c.target_id)
        if limit is not None:
            query = query.limit(limit)
        return [_record(row) for row in self.conn.execute(query)]

    def carried(self, round_id: str) -> dict[str, Carried]:
        """What each target of a finalized round carries into the next round of its scheme."""
        r = t.results
        rows = self.conn.execute(select(
            r.c.target_id, r.c.grade, r.c.rank_in_scope, r.c.total_centi, r.c.holds_title, r.c.last_place_streak,
        ).where(self._of_round(round_id), r.c.final.is_(True)))
        return {row.target_id: Carried(row.grade, row.rank_in_scope, row.total_centi, bool(row.holds_title),
                                       row.last_place_streak) for row in rows}
