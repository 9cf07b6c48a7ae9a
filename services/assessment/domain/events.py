"""Scheme events; each mirrors `<Name>Event` in assessment_events.proto field for field.

Rounds, results and cases keep their events in their own modules (round_events.py, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

from services.assessment.domain.names import revision_name, scheme_name
from services.assessment.domain.revisions import SchemeRecord, StoredRevision
from services.assessment.domain.scheme_format import to_document
from services.common.clock import iso_date
from services.common.tenancy import etag_of


def scheme_snapshot(record: SchemeRecord, revision: StoredRevision) -> dict:
    """The Scheme message (as its JSON form) of one revision: what a consumer needs to assess by it."""
    scheme, facts = revision.scheme, revision.facts
    snapshot = {
        "name": scheme_name(record.tenant, record.id), "revision": scheme.revision, "state": scheme.state.value,
        "template": record.template, "effective_from": iso_date(facts.effective_from),
        "published_by": facts.published_by, "etag": etag_of(record.version),
        "revision_name": revision_name(record.tenant, record.id, scheme.revision), **to_document(scheme),
    }
    if facts.published_at is not None:
        snapshot["publish_time"] = facts.published_at.isoformat().replace("+00:00", "Z")
    return snapshot


@dataclass(frozen=True)
class SchemePublished:
    scheme: dict
    revision_name: str

    @classmethod
    def of(cls, record: SchemeRecord, revision: StoredRevision) -> SchemePublished:
        return cls(scheme_snapshot(record, revision), revision_name(record.tenant, record.id, revision.scheme.revision))
