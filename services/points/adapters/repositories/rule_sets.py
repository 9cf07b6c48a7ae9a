"""Rule sets and their revisions, tenant-scoped; a revision's thresholds and rules are one JSON body."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from types import SimpleNamespace

from sqlalchemy import Connection, and_, insert, select, update

from services.common.clock import as_utc
from services.points.adapters import tables
from services.points.domain.rule_sets import (
    Comparison,
    Kind,
    Mode,
    RecorderRole,
    Rule,
    RuleSet,
    RuleSetContent,
    RuleSetRevision,
    State,
    Threshold,
    Unit,
)

_sets, _revisions = tables.rule_sets, tables.rule_set_revisions


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return as_utc(value) if value is not None else None


def body_json(content: RuleSetContent) -> str:
    body = {"thresholds": [dataclasses.asdict(t) for t in content.thresholds],
            "rules": [dataclasses.asdict(r) for r in content.rules]}
    return json.dumps(body, ensure_ascii=False, sort_keys=True)


def _threshold(data: dict) -> Threshold:
    return Threshold(**{**data, "comparison": Comparison(data["comparison"])})


def _rule(data: dict) -> Rule:
    return Rule(**{**data, "kind": Kind(data["kind"]), "unit": Unit(data["unit"]),
                   "recorder_roles": tuple(RecorderRole(r) for r in data["recorder_roles"])})


@functools.lru_cache(maxsize=512)
def _content(mode: str, base: int, floor: int, max_quantity: int, body: str) -> RuleSetContent:
    """A revision's rules, parsed once per process: every entry reads the rules in force, and the
    content is frozen and keyed by the stored values themselves (a changed row is a new key)."""
    parsed = json.loads(body)
    return RuleSetContent(Mode(mode), base, floor, max_quantity, tuple(_threshold(t) for t in parsed["thresholds"]),
                          tuple(_rule(r) for r in parsed["rules"]))


def _revision(row) -> RuleSetRevision:
    content = _content(row.mode, row.base, row.floor, row.max_quantity, row.body)
    return RuleSetRevision(row.tenant, row.rule_set_id, row.revision, State(row.state), content, row.effective_from,
                           _utc(row.published_at), row.published_by, _utc(row.created_at), _utc(row.updated_at))


def _rule_set(row) -> RuleSet:
    return RuleSet(row.tenant, row.id, row.display_name, row.description, row.template, row.latest_revision,
                   row.version, _utc(row.created_at), _utc(row.updated_at))


def _content_values(content: RuleSetContent) -> dict:
    return {"mode": content.mode.value, "base": content.base, "floor": content.floor,
            "max_quantity": content.max_quantity, "body": body_json(content)}


class RuleSetRepository:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    def get(self, rule_set_id: str, *, lock: bool = False) -> RuleSet | None:
        query = select(_sets).where(_sets.c.tenant == self.tenant, _sets.c.id == rule_set_id)
        row = self.conn.execute(query.with_for_update() if lock else query).first()
        return _rule_set(row) if row else None

    def list_latest(self, after: str | None, limit: int) -> list[tuple[RuleSet, RuleSetRevision]]:
        """A page of rule sets by id, each with its latest revision (one query)."""
        query = select(_sets, *[col.label(f"r_{col.name}") for col in _revisions.c]).join(_revisions, and_(
            _revisions.c.tenant == _sets.c.tenant, _revisions.c.rule_set_id == _sets.c.id,
            _revisions.c.revision == _sets.c.latest_revision)).where(_sets.c.tenant == self.tenant)
        if after is not None:
            query = query.where(_sets.c.id > after)
        out = []
        for row in self.conn.execute(query.order_by(_sets.c.id).limit(limit)):
            revision = SimpleNamespace(**{col.name: getattr(row, f"r_{col.name}") for col in _revisions.c})
            out.append((_rule_set(row), _revision(revision)))
        return out

    def add(self, rule_set: RuleSet, revision: RuleSetRevision) -> None:
        self.conn.execute(insert(_sets).values(
            tenant=self.tenant, id=rule_set.id, display_name=rule_set.display_name,
            description=rule_set.description, template=rule_set.template, latest_revision=revision.revision,
            version=rule_set.version, created_at=rule_set.created_at, updated_at=rule_set.updated_at))
        self.add_revision(revision)

    def save(self, rule_set: RuleSet) -> None:
        """The rule set's own row (names, latest revision, version) as the use case changed it."""
        self.conn.execute(update(_sets).where(_sets.c.tenant == self.tenant, _sets.c.id == rule_set.id).values(
            display_name=rule_set.display_name, description=rule_set.description,
            latest_revision=rule_set.latest_revision, version=rule_set.version, updated_at=rule_set.updated_at))

    def add_revision(self, revision: RuleSetRevision) -> None:
        self.conn.execute(insert(_revisions).values(
            tenant=self.tenant, rule_set_id=revision.rule_set_id, revision=revision.revision,
            state=revision.state.value, effective_from=revision.effective_from, published_at=revision.published_at,
            published_by=revision.published_by, created_at=revision.created_at, updated_at=revision.updated_at,
            **_content_values(revision.content)))

    def save_revision(self, revision: RuleSetRevision) -> None:
        """A draft's content, or its publication; only drafts are ever passed here."""
        self.conn.execute(update(_revisions).where(
            _revisions.c.tenant == self.tenant, _revisions.c.rule_set_id == revision.rule_set_id,
            _revisions.c.revision == revision.revision, _revisions.c.state == State.DRAFT.value,
        ).values(state=revision.state.value, effective_from=revision.effective_from,
                 published_at=revision.published_at, published_by=revision.published_by,
                 updated_at=revision.updated_at, **_content_values(revision.content)))

    def revision(self, rule_set_id: str, revision: int) -> RuleSetRevision | None:
        row = self.conn.execute(select(_revisions).where(
            _revisions.c.tenant == self.tenant, _revisions.c.rule_set_id == rule_set_id,
            _revisions.c.revision == revision)).first()
        return _revision(row) if row else None

    def revisions(self, rule_set_id: str, after: int | None, limit: int) -> list[RuleSetRevision]:
        query = select(_revisions).where(_revisions.c.tenant == self.tenant, _revisions.c.rule_set_id == rule_set_id)
        if after is not None:
            query = query.where(_revisions.c.revision > after)
        return [_revision(row) for row in self.conn.execute(query.order_by(_revisions.c.revision).limit(limit))]

    def lock_all(self) -> None:
        """Lock every rule set of the county (in id order, so two lockers never deadlock): one
        publication at a time per county, each seeing the one before it."""
        self.conn.execute(select(_sets.c.id).where(_sets.c.tenant == self.tenant).order_by(_sets.c.id)
                          .with_for_update()).all()

    def latest_published(self, on: dt.date | None = None) -> RuleSetRevision | None:
        """The county's published revision with the latest effective_from (on or before `on`);
        ties go to the later publish."""
        query = select(_revisions).where(_revisions.c.tenant == self.tenant,
                                         _revisions.c.state == State.PUBLISHED.value)
        if on is not None:
            query = query.where(_revisions.c.effective_from <= on)
        row = self.conn.execute(query.order_by(_revisions.c.effective_from.desc(), _revisions.c.published_at.desc(),
                                               _revisions.c.revision.desc()).limit(1)).first()
        return _revision(row) if row else None
