"""The round aggregate's objections and audit trail, as mixins of RoundRepository (rounds.py):
the same connection and tenant, tables of the round only."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import exists, func, insert, or_, select, update

from services.assessment.adapters import tables as t
from services.assessment.domain.names import objection_name
from services.assessment.domain.rounds import (
    EventKind,
    Objection,
    ObjectionState,
    Round,
    RoundEvent,
    ScoreSubmission,
)
from services.common.clock import as_utc
from services.common.db import LIKE_ESCAPE, like_prefix
from services.common.errors import stale_etag


def when(value):
    """A stored time as UTC, or None."""
    return as_utc(value) if value is not None else None


def _adjustment_json(objection: Objection) -> str:
    adjustment = objection.adjustment
    if adjustment is None:
        return ""
    return json.dumps({"target_id": adjustment.target_id, "source": adjustment.source,
                       "values": {code: str(value) for code, value in adjustment.values.items()}},
                      ensure_ascii=False, sort_keys=True)


def _objection(row) -> Objection:
    adjustment = None
    if row.adjustment:
        data = json.loads(row.adjustment)
        adjustment = ScoreSubmission(data["target_id"], data["source"],
                                     {code: Decimal(value) for code, value in data["values"].items()})
    return Objection(
        id=row.id, target_id=row.target_id, reason=row.reason, filed_by=row.filed_by,
        filed_at=as_utc(row.filed_at), state=ObjectionState(row.state), decision_note=row.decision_note,
        resolved_by=row.resolved_by, resolved_at=when(row.resolved_at), adjustment=adjustment, version=row.version,
    )


def _event(row) -> RoundEvent:
    return RoundEvent(
        kind=EventKind(row.kind), actor=row.actor, actor_role=row.actor_role, at=as_utc(row.at), stage=row.stage,
        target_id=row.target_id, summary=row.summary, before=json.loads(row.before), after=json.loads(row.after),
        seq=row.seq,
    )


def _under(round_id: str, tenant: str, path_prefix: str):
    """The target ids of a round under a path prefix (a clerk's subtree)."""
    rt = t.round_targets
    return select(rt.c.target_id).where(rt.c.tenant == tenant, rt.c.round_id == round_id,
                                        rt.c.unit_path.like(like_prefix(path_prefix), escape=LIKE_ESCAPE))


class ObjectionRows:
    conn: object
    tenant: str

    def add_objection(self, round_id: str, objection: Objection) -> None:
        self.conn.execute(insert(t.round_objections).values(
            tenant=self.tenant, round_id=round_id, id=objection.id, target_id=objection.target_id,
            reason=objection.reason, state=objection.state.value, filed_by=objection.filed_by,
            filed_at=objection.filed_at, version=objection.version))

    def get_objection(self, round_id: str, objection_id: str) -> Objection | None:
        o = t.round_objections
        row = self.conn.execute(select(o).where(o.c.tenant == self.tenant, o.c.round_id == round_id,
                                                o.c.id == objection_id)).first()
        return _objection(row) if row else None

    def save_objection(self, round_id: str, objection: Objection, read_version: int) -> None:
        o = t.round_objections
        done = self.conn.execute(update(o).where(
            o.c.tenant == self.tenant, o.c.round_id == round_id, o.c.id == objection.id, o.c.version == read_version,
        ).values(state=objection.state.value, decision_note=objection.decision_note,
                 adjustment=_adjustment_json(objection), resolved_by=objection.resolved_by,
                 resolved_at=objection.resolved_at, version=objection.version))
        if done.rowcount != 1:
            raise stale_etag(objection_name(self.tenant, round_id, objection.id))

    def list_objections(self, round_id: str, state: ObjectionState | None, path_prefix: str,
                        after: str | None, limit: int) -> list[Objection]:
        """In filing order (ids grow with time); `path_prefix` confines them to a subtree's targets."""
        o = t.round_objections
        query = select(o).where(o.c.tenant == self.tenant, o.c.round_id == round_id)
        if state is not None:
            query = query.where(o.c.state == state.value)
        if path_prefix != "/":
            query = query.where(o.c.target_id.in_(_under(round_id, self.tenant, path_prefix)))
        if after:
            query = query.where(o.c.id > after)
        return [_objection(row) for row in self.conn.execute(query.order_by(o.c.id).limit(limit))]

    def open_objection_ids(self, round_id: str) -> tuple[str, ...]:
        o = t.round_objections
        rows = self.conn.execute(select(o.c.id).where(o.c.tenant == self.tenant, o.c.round_id == round_id,
                                                      o.c.state == ObjectionState.OPEN.value).order_by(o.c.id))
        return tuple(row.id for row in rows)

    def count_open_objections(self, round_ids: list[str], path_prefix: str = "/") -> dict[str, int]:
        """Open objections per round; `path_prefix` counts only those on targets of a subtree."""
        o, rt = t.round_objections, t.round_targets
        query = select(o.c.round_id, func.count()).where(
            o.c.tenant == self.tenant, o.c.round_id.in_(round_ids), o.c.state == ObjectionState.OPEN.value)
        if path_prefix != "/":
            query = query.where(exists().where(
                rt.c.tenant == o.c.tenant, rt.c.round_id == o.c.round_id, rt.c.target_id == o.c.target_id,
                rt.c.unit_path.like(like_prefix(path_prefix), escape=LIKE_ESCAPE)))
        return {row[0]: row[1] for row in self.conn.execute(query.group_by(o.c.round_id))}



class TrailRows:
    conn: object
    tenant: str

    def append_events(self, round_: Round, events: list[RoundEvent]) -> None:
        """Append to the trail; the caller holds the round's lock and saves `round_` after."""
        rows = []
        for event in events:
            round_.last_event_seq += 1
            rows.append(dict(
                tenant=self.tenant, round_id=round_.id, seq=round_.last_event_seq, kind=event.kind.value,
                actor=event.actor, actor_role=event.actor_role, at=event.at, stage=event.stage,
                target_id=event.target_id, summary=event.summary,
                before=json.dumps(event.before, ensure_ascii=False, sort_keys=True),
                after=json.dumps(event.after, ensure_ascii=False, sort_keys=True)))
        if rows:
            self.conn.execute(insert(t.round_events), rows)

    def list_events(self, round_id: str, target_id: str, path_prefix: str, after: int | None,
                    limit: int) -> list[RoundEvent]:
        """In trail order; `path_prefix` keeps the round's own lines and those of targets under it."""
        e = t.round_events
        query = select(e).where(e.c.tenant == self.tenant, e.c.round_id == round_id)
        if target_id:
            query = query.where(e.c.target_id == target_id)
        if path_prefix != "/":
            query = query.where(or_(e.c.target_id == "", e.c.target_id.in_(_under(round_id, self.tenant, path_prefix))))
        if after:
            query = query.where(e.c.seq > after)
        return [_event(row) for row in self.conn.execute(query.order_by(e.c.seq).limit(limit))]
