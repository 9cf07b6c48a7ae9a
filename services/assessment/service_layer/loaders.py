"""Shared loads of the use cases: a resource the request is about (`load_x`, NOT_FOUND) and one a
request refers to (`referenced_x`, INVALID_ARGUMENT on its field)."""

from __future__ import annotations

from services.assessment.domain.names import revision_name, scheme_name
from services.assessment.domain.revisions import SchemeRecord, StoredRevision
from services.assessment.domain.scheme import State
from services.assessment.service_layer.unit_of_work import AssessmentUnitOfWork
from services.common.errors import InvalidArgument, not_found


def load_scheme(uow: AssessmentUnitOfWork, scheme_id: str, *, lock: bool = False) -> SchemeRecord:
    record = uow.schemes.get(scheme_id, lock=lock)
    if record is None:
        raise not_found("考核方案", "scheme", scheme_name(uow.tenant, scheme_id))
    return record


def load_revision(uow: AssessmentUnitOfWork, record: SchemeRecord, number: int) -> StoredRevision:
    found = uow.schemes.revision(record.id, number, record.template)
    if found is None:
        raise not_found("考核方案版本", "scheme revision", revision_name(uow.tenant, record.id, number))
    return found


def referenced_published_revision(uow: AssessmentUnitOfWork, scheme_id: str, number: int,
                                  field_path: str) -> StoredRevision:
    """The published revision a request names (a round runs on one); a draft or a missing one is
    INVALID_ARGUMENT on `field_path`."""
    name = revision_name(uow.tenant, scheme_id, number)
    record = uow.schemes.get(scheme_id)
    found = uow.schemes.revision(scheme_id, number, record.template) if record is not None else None
    if found is None:
        raise InvalidArgument.field(field_path, f"没有考核方案版本 {name}", f"no scheme revision {name}",
                                    "SCHEME_REVISION_NOT_FOUND")
    if found.scheme.state is not State.PUBLISHED:
        raise InvalidArgument.field(field_path, f"{name} 是草稿，发布后才能使用",
                                    f"{name} is a draft; publish it first", "SCHEME_NOT_PUBLISHED")
    return found
