"""The round aggregate: the round row, its frozen targets, current scores, negative items,
objections and the audit trail. Tenant-scoped; touches only the rounds' own tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import Connection, Select, and_, delete, func, insert, or_, select, update

from services.assessment.adapters import tables as t
from services.assessment.adapters.repositories.round_records import ObjectionRows, TrailRows, when
from services.assessment.domain.amounts import centi, from_centi
from services.assessment.domain.names import round_name
from services.assessment.domain.rounds import (
    NegativeItemRecord,
    Round,
    RoundState,
    RoundTarget,
    ScoreSubmission,
    ScoreValue,
)
from services.common.clock import as_utc
from services.common.db import LIKE_ESCAPE, like_prefix
from services.common.errors import stale_etag

# PostgreSQL caps a statement's parameters; a county round's targets go in chunks this size.
CHUNK = 1000


def _driver_rows(conn: Connection, query: Select) -> list[tuple]:
    """A big read of plain columns (text, integers) fetched by the driver in one call: for the
    3 million values of a province round, SQLAlchemy's row-by-row result processing costs as much
    as the database. Same connection, so the same transaction and tenant binding."""
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(compiled.string, params)
        return cursor.fetchall()
    finally:
        cursor.close()


def _round(row) -> Round:
    return Round(
        tenant=row.tenant, id=row.id, scheme_id=row.scheme_id, scheme_revision=row.scheme_revision,
        display_name=row.display_name, period=row.period, scope_unit_id=row.scope_unit_id,
        scope_path=row.scope_path, stage_index=row.stage_index, state=RoundState(row.state),
        stage_started_at=as_utc(row.stage_started_at), created_at=as_utc(row.created_at),
        created_by=row.created_by, target_count=row.target_count, finalized_at=when(row.finalized_at),
        version=row.version, last_event_seq=row.last_event_seq,
    )


def _target(row) -> RoundTarget:
    return RoundTarget(row.target_id, row.unit_id, row.member_id, row.township_id, row.display_name, row.unit_path)


def _negative_item(row) -> NegativeItemRecord:
    return NegativeItemRecord(
        id=row.id, target_id=row.target_id, code=row.code, evidence=row.evidence, recorded_by=row.recorded_by,
        recorded_at=as_utc(row.recorded_at), withdrawn_by=row.withdrawn_by, withdrawn_at=when(row.withdrawn_at),
        withdraw_reason=row.withdraw_reason,
    )


class RoundRepository(ObjectionRows, TrailRows):
    """The round row, its targets, scores and negative items; objections and the trail in round_records."""

    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    # ------------------------------------------------------------ rounds

    def add(self, round_: Round, targets: list[RoundTarget]) -> None:
        self.conn.execute(insert(t.rounds).values(
            tenant=self.tenant, id=round_.id, scheme_id=round_.scheme_id, scheme_revision=round_.scheme_revision,
            display_name=round_.display_name, period=round_.period, scope_unit_id=round_.scope_unit_id,
            scope_path=round_.scope_path, stage_index=round_.stage_index, state=round_.state.value,
            stage_started_at=round_.stage_started_at, target_count=len(targets), last_event_seq=0,
            created_by=round_.created_by, created_at=round_.created_at, version=round_.version))
        rows = [dict(tenant=self.tenant, round_id=round_.id, target_id=x.target_id, unit_id=x.unit_id,
                     member_id=x.member_id, township_id=x.township_id, display_name=x.display_name,
                     unit_path=x.unit_path) for x in targets]
        for start in range(0, len(rows), CHUNK):
            self.conn.execute(insert(t.round_targets), rows[start:start + CHUNK])

    def get(self, round_id: str, lock: bool = False) -> Round | None:
        """One round; `lock` holds its row until commit, so the writers of one round take turns
        (a submission never lands in a stage an advance has just left)."""
        query = select(t.rounds).where(t.rounds.c.tenant == self.tenant, t.rounds.c.id == round_id)
        if lock:
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        return _round(row) if row else None

    def save(self, round_: Round, read_version: int) -> None:
        """The round's stage and trail position; ABORTED when another advance got there first."""
        done = self.conn.execute(update(t.rounds).where(
            t.rounds.c.tenant == self.tenant, t.rounds.c.id == round_.id, t.rounds.c.version == read_version,
        ).values(stage_index=round_.stage_index, state=round_.state.value, stage_started_at=round_.stage_started_at,
                 finalized_at=round_.finalized_at, version=round_.version, last_event_seq=round_.last_event_seq))
        if done.rowcount != 1:
            raise stale_etag(round_name(self.tenant, round_.id))

    def save_trail(self, round_: Round) -> None:
        """The trail position after a write that does not change the round's stage (nor its etag)."""
        self.conn.execute(update(t.rounds).where(t.rounds.c.tenant == self.tenant, t.rounds.c.id == round_.id)
                          .values(last_event_seq=round_.last_event_seq))

    def backdate_stage(self, round_id: str, days: int) -> None:
        """Demo data of a past year only: the current stage began `days` earlier than recorded."""
        current = self.get(round_id)
        self.conn.execute(update(t.rounds).where(t.rounds.c.tenant == self.tenant, t.rounds.c.id == round_id)
                          .values(stage_started_at=current.stage_started_at - dt.timedelta(days=days)))

    def list(self, scheme_id: str, state: RoundState | None, after: list | None, limit: int) -> list[Round]:
        """Newest first, keyset on (created_at, id)."""
        r = t.rounds
        query = select(r).where(r.c.tenant == self.tenant)
        if scheme_id:
            query = query.where(r.c.scheme_id == scheme_id)
        if state is not None:
            query = query.where(r.c.state == state.value)
        if after:
            created, last_id = after
            query = query.where(or_(r.c.created_at < created, and_(r.c.created_at == created, r.c.id < last_id)))
        query = query.order_by(r.c.created_at.desc(), r.c.id.desc()).limit(limit)
        return [_round(row) for row in self.conn.execute(query)]

    def same_round(self, scheme_id: str, period: str, scope_unit_id: str) -> Round | None:
        """A round of this scheme for this period over this scope, if one exists."""
        r = t.rounds
        row = self.conn.execute(select(r).where(
            r.c.tenant == self.tenant, r.c.scheme_id == scheme_id, r.c.period == period,
            r.c.scope_unit_id == scope_unit_id).limit(1)).first()
        return _round(row) if row else None

    def previous_round(self, scheme_id: str, round_: Round) -> Round | None:
        """The latest FINALIZED round of the same scheme created before `round_`."""
        r = t.rounds
        row = self.conn.execute(select(r).where(
            r.c.tenant == self.tenant, r.c.scheme_id == scheme_id, r.c.state == RoundState.FINALIZED.value,
            r.c.id != round_.id, r.c.created_at <= round_.created_at,
        ).order_by(r.c.created_at.desc(), r.c.id.desc()).limit(1)).first()
        return _round(row) if row else None

    # ------------------------------------------------------------ targets

    def targets(self, round_id: str) -> list[RoundTarget]:
        """Every frozen target, in tree order."""
        rt = t.round_targets
        rows = self.conn.execute(select(rt).where(rt.c.tenant == self.tenant, rt.c.round_id == round_id)
                                 .order_by(rt.c.unit_path, rt.c.target_id))
        return [_target(row) for row in rows]

    def target(self, round_id: str, target_id: str) -> RoundTarget | None:
        rt = t.round_targets
        row = self.conn.execute(select(rt).where(rt.c.tenant == self.tenant, rt.c.round_id == round_id,
                                                 rt.c.target_id == target_id)).first()
        return _target(row) if row else None

    def list_targets(self, round_id: str, path_prefix: str, after: list | None, limit: int,
                     only: Iterable[str] | None = None) -> list[RoundTarget]:
        """Targets under `path_prefix` ("/" for all) in tree order, keyset on (unit_path, target_id)."""
        rt = t.round_targets
        query = select(rt).where(rt.c.tenant == self.tenant, rt.c.round_id == round_id)
        if path_prefix != "/":
            query = query.where(rt.c.unit_path.like(like_prefix(path_prefix), escape=LIKE_ESCAPE))
        if only is not None:
            query = query.where(rt.c.target_id.in_(list(only)))
        if after:
            path, last_id = after
            query = query.where(or_(rt.c.unit_path > path, and_(rt.c.unit_path == path, rt.c.target_id > last_id)))
        return [_target(row) for row in self.conn.execute(query.order_by(rt.c.unit_path, rt.c.target_id).limit(limit))]

    # ------------------------------------------------------------ scores

    def score_values(self, round_id: str) -> dict[tuple[str, str, str], Decimal]:
        """Every current value, by (target, source, indicator)."""
        s = t.round_scores
        rows = _driver_rows(self.conn, select(s.c.target_id, s.c.source, s.c.indicator, s.c.value_centi)
                            .where(s.c.tenant == self.tenant, s.c.round_id == round_id))
        # A province round reads millions of values: one Decimal per distinct amount and one string
        # per code, shared, instead of a Decimal and three strings per row (half the time, less memory).
        amounts: dict[int, Decimal] = {}
        names: dict[str, str] = {}
        out: dict[tuple[str, str, str], Decimal] = {}
        for target_id, source, indicator, hundredths in rows:
            value = amounts.get(hundredths)
            if value is None:
                value = amounts[hundredths] = from_centi(hundredths)
            out[(names.setdefault(target_id, target_id), names.setdefault(source, source),
                 names.setdefault(indicator, indicator))] = value
        return out

    def scored_counts(self, round_id: str, sources: Iterable[str] | None = None) -> dict[tuple[str, str], int]:
        """How many values each (target, source) holds, counted by the database (AdvanceRound's
        checks at province scale read 60,000 counts, not 3 million keys)."""
        s = t.round_scores
        query = (select(s.c.target_id, s.c.source, func.count())
                 .where(s.c.tenant == self.tenant, s.c.round_id == round_id).group_by(s.c.target_id, s.c.source))
        if sources is not None:
            query = query.where(s.c.source.in_(list(sources)))
        return {(target_id, source): n for target_id, source, n in self.conn.execute(query).tuples()}

    def scored_keys(self, round_id: str, target_ids: Iterable[str] | None = None) -> frozenset[tuple[str, str, str]]:
        """(target, source, indicator) of every value, or of the values of `target_ids`."""
        s = t.round_scores
        query = select(s.c.target_id, s.c.source, s.c.indicator).where(s.c.tenant == self.tenant,
                                                                       s.c.round_id == round_id)
        if target_ids is None:
            return frozenset(self.conn.execute(query).tuples())
        ids, found = list(target_ids), set()
        for start in range(0, len(ids), CHUNK):
            found.update(self.conn.execute(query.where(s.c.target_id.in_(ids[start:start + CHUNK]))).tuples())
        return frozenset(found)

    def target_ids(self, round_id: str) -> tuple[str, ...]:
        """Every frozen target's id, in tree order."""
        rt = t.round_targets
        return tuple(self.conn.execute(select(rt.c.target_id).where(rt.c.tenant == self.tenant, rt.c.round_id == round_id)
                                       .order_by(rt.c.unit_path, rt.c.target_id)).scalars())

    def scores_of(self, round_id: str, target_ids: list[str]) -> list[ScoreValue]:
        s = t.round_scores
        found: list[ScoreValue] = []
        for start in range(0, len(target_ids), CHUNK):
            rows = self.conn.execute(select(s).where(
                s.c.tenant == self.tenant, s.c.round_id == round_id, s.c.target_id.in_(target_ids[start:start + CHUNK]),
            ).order_by(s.c.target_id, s.c.source, s.c.indicator))
            found += [ScoreValue(row.target_id, row.source, row.indicator, from_centi(row.value_centi), row.note,
                                 row.submitted_by, as_utc(row.submitted_at)) for row in rows]
        return found

    def current_values(self, round_id: str, target_id: str, source: str) -> dict[str, Decimal]:
        s = t.round_scores
        rows = self.conn.execute(select(s.c.indicator, s.c.value_centi).where(
            s.c.tenant == self.tenant, s.c.round_id == round_id, s.c.target_id == target_id, s.c.source == source))
        return {row.indicator: from_centi(row.value_centi) for row in rows}

    def put_scores(self, round_id: str, submission: ScoreSubmission, notes: dict[str, str], who: str, at) -> None:
        """Replace the values of the indicators the submission names (the trail keeps the old ones)."""
        s = t.round_scores
        codes = sorted(submission.values)
        self.conn.execute(delete(s).where(
            s.c.tenant == self.tenant, s.c.round_id == round_id, s.c.target_id == submission.target_id,
            s.c.source == submission.source, s.c.indicator.in_(codes)))
        self.conn.execute(insert(s), [dict(
            tenant=self.tenant, round_id=round_id, target_id=submission.target_id, source=submission.source,
            indicator=code, value_centi=centi(submission.values[code]), note=notes.get(code, submission.note),
            submitted_by=who, submitted_at=at) for code in codes])

    # ------------------------------------------------------------ negative items

    def add_negative_item(self, round_id: str, record: NegativeItemRecord) -> None:
        self.conn.execute(insert(t.round_negative_items).values(
            tenant=self.tenant, id=record.id, round_id=round_id, target_id=record.target_id, code=record.code,
            evidence=record.evidence, recorded_by=record.recorded_by, recorded_at=record.recorded_at))

    def negative_item(self, record_id: str) -> NegativeItemRecord | None:
        n = t.round_negative_items
        row = self.conn.execute(select(n).where(n.c.tenant == self.tenant, n.c.id == record_id)).first()
        return _negative_item(row) if row else None

    def active_negative_item(self, round_id: str, target_id: str, code: str) -> NegativeItemRecord | None:
        n = t.round_negative_items
        row = self.conn.execute(select(n).where(
            n.c.tenant == self.tenant, n.c.round_id == round_id, n.c.target_id == target_id, n.c.code == code,
            n.c.withdrawn_at.is_(None))).first()
        return _negative_item(row) if row else None

    def save_withdrawal(self, record: NegativeItemRecord) -> None:
        n = t.round_negative_items
        self.conn.execute(update(n).where(n.c.tenant == self.tenant, n.c.id == record.id).values(
            withdrawn_by=record.withdrawn_by, withdrawn_at=record.withdrawn_at, withdraw_reason=record.withdraw_reason))

    def negative_items_of(self, round_id: str, target_ids: list[str]) -> list[NegativeItemRecord]:
        n = t.round_negative_items
        rows = self.conn.execute(select(n).where(
            n.c.tenant == self.tenant, n.c.round_id == round_id, n.c.target_id.in_(target_ids),
        ).order_by(n.c.target_id, n.c.recorded_at, n.c.id))
        return [_negative_item(row) for row in rows]

    def negative_codes(self, round_id: str) -> dict[str, tuple[str, ...]]:
        """Per target, the codes of its negative items not withdrawn."""
        n = t.round_negative_items
        rows = self.conn.execute(select(n.c.target_id, n.c.code).where(
            n.c.tenant == self.tenant, n.c.round_id == round_id, n.c.withdrawn_at.is_(None),
        ).order_by(n.c.target_id, n.c.code))
        found: dict[str, list[str]] = {}
        for row in rows:
            found.setdefault(row.target_id, []).append(row.code)
        return {target_id: tuple(codes) for target_id, codes in found.items()}
