"""A scheme's own row and the stored facts of a revision beside its content (domain/scheme.py).

`Scheme` (verbatim from the design) is what a revision states; `SchemeRecord` is the scheme's row
(its template, latest revision and etag version) and `RevisionFacts` when and by whom a revision
was published, which rounds and results name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.assessment.domain.scheme import Scheme, State
from services.assessment.domain.scheme_bounds import SCHEME_ID
from services.common import identifiers
from services.common.errors import Validator


@dataclass(frozen=True)
class SchemeRecord:
    tenant: str
    id: str
    template: str
    latest_revision: int
    version: int = 1  # the etag: grows with every change of the latest revision
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class RevisionFacts:
    effective_from: dt.date | None = None
    published_at: dt.datetime | None = None
    published_by: str = ""
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class StoredRevision:
    """One revision as stored: what it states and its facts."""

    scheme: Scheme
    facts: RevisionFacts

    @property
    def published(self) -> bool:
        return self.scheme.state is State.PUBLISHED


def check_scheme_id(v: Validator, value: str, field_path: str) -> str:
    scheme_id = identifiers.check(v, value, field_path)
    v.require(not scheme_id or bool(SCHEME_ID.fullmatch(scheme_id)), field_path,
              "应为小写字母开头的小写字母、数字或连字符，最多40个字符",
              "must be 1-40 lower-case letters, digits or hyphens, starting with a letter")
    return scheme_id
