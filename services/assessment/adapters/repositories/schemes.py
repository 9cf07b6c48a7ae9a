"""Schemes and their revisions, tenant-scoped; a revision's parts are one JSON body (scheme_format)."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

from sqlalchemy import Connection, and_, insert, select, update

from services.assessment.adapters import tables
from services.assessment.domain.revisions import RevisionFacts, SchemeRecord, StoredRevision
from services.assessment.domain.scheme import PeriodKind, Scheme, State, TargetKind
from services.assessment.domain.scheme_format import DOCUMENT_FIELDS, parse_document, to_document
from services.common.clock import as_utc

_schemes, _revisions = tables.schemes, tables.scheme_revisions
_COLUMNS = ("display_name", "description", "target_kind", "period_kind")  # the rest is the body


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return as_utc(value) if value is not None else None


def body_json(scheme: Scheme) -> str:
    document = to_document(scheme)
    return json.dumps({key: document[key] for key in DOCUMENT_FIELDS if key not in _COLUMNS},
                      ensure_ascii=False, sort_keys=True)


def _revision(row, template: str) -> StoredRevision:
    parsed, problems = parse_document(json.loads(row.body))
    if problems:  # what we wrote is ours: a problem reading it back is a bug, not a caller's mistake
        raise RuntimeError(f"scheme body {row.scheme_id}/{row.revision}: {problems}")
    scheme = Scheme(row.tenant, row.scheme_id, row.revision, State(row.state), row.display_name, row.description,
                    TargetKind(row.target_kind), PeriodKind(row.period_kind), parsed.dimensions, parsed.sources,
                    parsed.negative_items, parsed.grades, parsed.stages, parsed.result_rules, template)
    facts = RevisionFacts(row.effective_from, _utc(row.published_at), row.published_by, _utc(row.created_at),
                          _utc(row.updated_at))
    return StoredRevision(scheme, facts)


def _record(row) -> SchemeRecord:
    return SchemeRecord(row.tenant, row.id, row.template, row.latest_revision, row.version, _utc(row.created_at),
                        _utc(row.updated_at))


def _values(stored: StoredRevision) -> dict:
    s, f = stored.scheme, stored.facts
    return {"state": s.state.value, "display_name": s.display_name, "description": s.description,
            "target_kind": s.target_kind.value, "period_kind": s.period_kind.value, "body": body_json(s),
            "effective_from": f.effective_from, "published_at": f.published_at, "published_by": f.published_by,
            "updated_at": f.updated_at}


class SchemeRepository:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    def get(self, scheme_id: str, *, lock: bool = False) -> SchemeRecord | None:
        query = select(_schemes).where(_schemes.c.tenant == self.tenant, _schemes.c.id == scheme_id)
        row = self.conn.execute(query.with_for_update() if lock else query).first()
        return _record(row) if row else None

    def list_latest(self, after: str | None, limit: int) -> list[tuple[SchemeRecord, StoredRevision]]:
        """A page of schemes by id, each with its latest revision (one query)."""
        labelled = [col.label(f"r_{col.name}") for col in _revisions.c]
        query = select(_schemes, *labelled).join(_revisions, and_(
            _revisions.c.tenant == _schemes.c.tenant, _revisions.c.scheme_id == _schemes.c.id,
            _revisions.c.revision == _schemes.c.latest_revision)).where(_schemes.c.tenant == self.tenant)
        if after is not None:
            query = query.where(_schemes.c.id > after)
        out = []
        for row in self.conn.execute(query.order_by(_schemes.c.id).limit(limit)):
            revision = SimpleNamespace(**{col.name: getattr(row, f"r_{col.name}") for col in _revisions.c})
            out.append((_record(row), _revision(revision, row.template)))
        return out

    def add(self, record: SchemeRecord, revision: StoredRevision) -> None:
        self.conn.execute(insert(_schemes).values(
            tenant=self.tenant, id=record.id, template=record.template, latest_revision=revision.scheme.revision,
            version=record.version, created_at=record.created_at, updated_at=record.updated_at))
        self.add_revision(revision)

    def save(self, record: SchemeRecord) -> None:
        """The scheme's own row (latest revision, version) as the use case changed it."""
        self.conn.execute(update(_schemes).where(_schemes.c.tenant == self.tenant, _schemes.c.id == record.id).values(
            latest_revision=record.latest_revision, version=record.version, updated_at=record.updated_at))

    def add_revision(self, revision: StoredRevision) -> None:
        self.conn.execute(insert(_revisions).values(
            tenant=self.tenant, scheme_id=revision.scheme.id, revision=revision.scheme.revision,
            created_at=revision.facts.created_at, **_values(revision)))

    def save_revision(self, revision: StoredRevision) -> None:
        """A draft's content, or its publication; a published row is never matched, so never changed."""
        self.conn.execute(update(_revisions).where(
            _revisions.c.tenant == self.tenant, _revisions.c.scheme_id == revision.scheme.id,
            _revisions.c.revision == revision.scheme.revision, _revisions.c.state == State.DRAFT.value,
        ).values(**_values(revision)))

    def revision(self, scheme_id: str, number: int, template: str = "") -> StoredRevision | None:
        row = self.conn.execute(select(_revisions).where(
            _revisions.c.tenant == self.tenant, _revisions.c.scheme_id == scheme_id,
            _revisions.c.revision == number)).first()
        return _revision(row, template) if row else None

    def revisions(self, scheme_id: str, after: int | None, limit: int, template: str = "") -> list[StoredRevision]:
        query = select(_revisions).where(_revisions.c.tenant == self.tenant, _revisions.c.scheme_id == scheme_id)
        if after is not None:
            query = query.where(_revisions.c.revision > after)
        rows = self.conn.execute(query.order_by(_revisions.c.revision).limit(limit))
        return [_revision(row, template) for row in rows]

