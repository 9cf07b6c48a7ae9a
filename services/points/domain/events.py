"""Domain events; each mirrors `<Name>Event` in points_events.proto field for field.

The ledger's events (threshold crossed, cleared, ...) are appended by its own section.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.common.clock import iso_date
from services.common.tenancy import etag_of
from services.points.domain.names import revision_name, rule_set_name
from services.points.domain.rule_set_format import to_document
from services.points.domain.rule_sets import RuleSet, RuleSetRevision


def rule_set_snapshot(rule_set: RuleSet, revision: RuleSetRevision) -> dict:
    """The RuleSet message (as its JSON form) of one revision: what a consumer needs to count by it."""
    snapshot = {
        "name": rule_set_name(rule_set.tenant, rule_set.id), "revision": revision.revision,
        "state": revision.state.value, "effective_from": iso_date(revision.effective_from),
        "published_by": revision.published_by, "template": rule_set.template, "etag": etag_of(rule_set.version),
        **to_document(rule_set.display_name, rule_set.description, revision.content),
    }
    if revision.published_at is not None:
        snapshot["publish_time"] = revision.published_at.isoformat().replace("+00:00", "Z")
    return snapshot


@dataclass(frozen=True)
class RuleSetPublished:
    rule_set: dict
    revision_name: str

    @classmethod
    def of(cls, rule_set: RuleSet, revision: RuleSetRevision) -> RuleSetPublished:
        return cls(rule_set_snapshot(rule_set, revision),
                   revision_name(rule_set.tenant, rule_set.id, revision.revision))
