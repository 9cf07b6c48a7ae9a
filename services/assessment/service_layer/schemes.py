"""Scheme use cases: create (or adopt a template), read, update the draft, publish.

A published revision never changes: an update of a published scheme starts draft revision n+1
from it, as points' rule sets do. A round freezes the revision it names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from services.assessment.domain.events import SchemePublished
from services.assessment.domain.names import scheme_name
from services.assessment.domain.revisions import (
    RevisionFacts,
    SchemeRecord,
    StoredRevision,
    check_scheme_id,
)
from services.assessment.domain.scheme import ResultRules, Scheme, State
from services.assessment.domain.scheme_checks import clean_scheme
from services.assessment.domain.scheme_format import DOCUMENT_FIELDS
from services.assessment.domain.templates import shipped
from services.assessment.service_layer import commands as c
from services.assessment.service_layer.loaders import load_revision, load_scheme
from services.assessment.service_layer.unit_of_work import (
    AssessmentUnitOfWork,
    AssessmentUnitOfWorkFactory,
)
from services.common.auth import Principal
from services.common.clock import utcnow
from services.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    Validator,
    check_update_mask,
)
from services.common.ids import new_id
from services.common.pagination import Page
from services.common.tenancy import check_etag

UPDATABLE = frozenset(DOCUMENT_FIELDS)
# A publication dated outside these years is a typo, not a policy.
EFFECTIVE_YEARS = (2000, 2099)


@dataclass(frozen=True)
class SchemeView:
    """A scheme as one of its revisions states it, with its row (template, etag)."""

    record: SchemeRecord
    revision: StoredRevision


def _checked(v: Validator, scheme: Scheme) -> Scheme:
    cleaned, problems = clean_scheme(scheme)
    for p in problems:
        v.add(f"scheme.{p.field}" if p.field != "(document)" else "scheme", p.zh, p.en)
    return cleaned


def _stated(scheme: Scheme) -> bool:
    return bool(scheme.dimensions or scheme.sources or scheme.grades or scheme.stages or scheme.negative_items
                or scheme.target_kind or scheme.period_kind or scheme.result_rules != ResultRules())


def _content(v: Validator, cmd: c.CreateScheme) -> Scheme:
    """The scheme to create: the request's, or the template's with the request's names over it."""
    if not cmd.template:
        return _checked(v, cmd.scheme)
    template = shipped().get(cmd.template)
    if template is None:
        names = ", ".join(shipped())
        v.add("template", f"没有名为 {cmd.template!r} 的模板，可选：{names}",
              f"no template {cmd.template!r}; templates: {names}")
        return cmd.scheme
    if _stated(cmd.scheme):
        v.add("scheme", "采用模板时只能给出名称和说明（采用后再修改）",
              "must state only display_name and description when adopting a template (adopt it, then update it)")
    return _checked(v, replace(template, display_name=cmd.scheme.display_name or template.display_name,
                               description=cmd.scheme.description or template.description))


def create_scheme(cmd: c.CreateScheme, uows: AssessmentUnitOfWorkFactory, who: Principal) -> SchemeView:
    v = Validator()
    scheme_id = check_scheme_id(v, cmd.scheme_id, "scheme_id")
    content = _content(v, cmd)
    v.raise_if_any()
    now = utcnow()
    scheme_id = scheme_id or new_id("s")
    record = SchemeRecord(cmd.tenant, scheme_id, cmd.template, 1, 1, now, now)
    revision = StoredRevision(replace(content, tenant=cmd.tenant, id=scheme_id, revision=1, state=State.DRAFT,
                                      template=cmd.template), RevisionFacts(created_at=now, updated_at=now))
    with uows(cmd.tenant, write=not cmd.validate_only) as uow:
        claim = None if cmd.validate_only else uow.idempotency.claim("CreateScheme", cmd)
        if claim is not None and claim.done:
            return _latest(uow, claim.done)
        if uow.schemes.get(scheme_id) is not None:
            raise AlreadyExists("SCHEME_EXISTS", f"考核方案 {scheme_id} 已存在",
                                f"scheme {scheme_name(cmd.tenant, scheme_id)} already exists")
        if cmd.validate_only:
            return SchemeView(record, revision)
        uow.schemes.add(record, revision)
        claim.remember(scheme_name(cmd.tenant, scheme_id))
        view = _latest(uow, scheme_id)
        uow.commit()
        return view


def _latest(uow: AssessmentUnitOfWork, scheme_id: str) -> SchemeView:
    record = load_scheme(uow, scheme_id)
    return SchemeView(record, load_revision(uow, record, record.latest_revision))


def get_scheme(cmd: c.GetScheme, uows: AssessmentUnitOfWorkFactory, who: Principal) -> SchemeView:
    with uows(cmd.tenant, write=False) as uow:
        return _latest(uow, cmd.scheme_id)


def list_schemes(cmd: c.ListSchemes, uows: AssessmentUnitOfWorkFactory,
                 who: Principal) -> tuple[list[SchemeView], str]:
    page = Page.open(cmd, uows.page_tokens, shape=(str,))
    with uows(cmd.tenant, write=False) as uow:
        found = [SchemeView(*pair) for pair in uow.schemes.list_latest(page.after_one(), page.fetch)]
    return page.cut(found, lambda view: [view.record.id])


def update_scheme(cmd: c.UpdateScheme, uows: AssessmentUnitOfWorkFactory, who: Principal) -> SchemeView:
    check_update_mask(cmd.changes, UPDATABLE)
    with uows(cmd.tenant, write=not cmd.validate_only) as uow:
        record = load_scheme(uow, cmd.scheme_id, lock=not cmd.validate_only)
        check_etag(cmd.etag, record.version, scheme_name(cmd.tenant, record.id))
        latest = load_revision(uow, record, record.latest_revision)
        v = Validator()
        content = _checked(v, replace(latest.scheme, **{key: cmd.changes[key] for key in UPDATABLE & set(cmd.changes)}))
        v.raise_if_any()
        now = utcnow()
        if latest.published:  # a published revision never changes: the change is revision n+1
            latest = StoredRevision(replace(content, revision=latest.scheme.revision + 1, state=State.DRAFT),
                                    RevisionFacts(created_at=now, updated_at=now))
            if not cmd.validate_only:
                uow.schemes.add_revision(latest)
        else:
            latest = StoredRevision(content, replace(latest.facts, updated_at=now))
            if not cmd.validate_only:
                uow.schemes.save_revision(latest)
        record = replace(record, latest_revision=latest.scheme.revision, version=record.version + 1, updated_at=now)
        if cmd.validate_only:
            return SchemeView(record, latest)  # nothing was written
        uow.schemes.save(record)
        uow.commit()
        return SchemeView(record, latest)


def _effective_from(value: str, today: dt.date) -> dt.date:
    v = Validator()
    day = v.date(value, "effective_from")
    if day is not None:
        low, high = EFFECTIVE_YEARS
        v.require(low <= day.year <= high, "effective_from", f"年份应在 {low} 到 {high} 之间",
                  f"must be in the years {low} to {high}")
    v.raise_if_any()
    return day or today


def publish_scheme(cmd: c.PublishScheme, uows: AssessmentUnitOfWorkFactory, who: Principal) -> SchemeView:
    now = utcnow()
    effective_from = _effective_from(cmd.effective_from, now.date())
    with uows(cmd.tenant) as uow:
        record = load_scheme(uow, cmd.scheme_id, lock=True)
        name = scheme_name(cmd.tenant, record.id)
        check_etag(cmd.etag, record.version, name)
        draft = load_revision(uow, record, record.latest_revision)
        if draft.published:
            raise FailedPrecondition(
                "NOTHING_TO_PUBLISH", f"{name} 没有待发布的草稿（第{draft.scheme.revision}版已发布，修改后产生新草稿）",
                f"{name} has no draft to publish: revision {draft.scheme.revision} is published; "
                f"update it to start a new draft")
        problems = clean_scheme(draft.scheme)[1]
        if problems:  # drafts are checked when written; a check grown stricter since is told here
            raise InvalidArgument.of([replace(p, field=f"scheme.{p.field}") for p in problems])
        published = StoredRevision(replace(draft.scheme, state=State.PUBLISHED), replace(
            draft.facts, effective_from=effective_from, published_at=now, published_by=who.subject, updated_at=now))
        uow.schemes.save_revision(published)
        record = replace(record, version=record.version + 1, updated_at=now)
        uow.schemes.save(record)
        uow.emit(SchemePublished.of(record, published))
        uow.commit()
        return SchemeView(record, published)


def list_scheme_revisions(cmd: c.ListSchemeRevisions, uows: AssessmentUnitOfWorkFactory,
                          who: Principal) -> tuple[list[SchemeView], str]:
    page = Page.open(cmd, uows.page_tokens, shape=(int,))
    with uows(cmd.tenant, write=False) as uow:
        record = load_scheme(uow, cmd.scheme_id)
        found = [SchemeView(record, r) for r in
                 uow.schemes.revisions(record.id, page.after_one(), page.fetch, record.template)]
    return page.cut(found, lambda view: [view.revision.scheme.revision])


def get_scheme_revision(cmd: c.GetSchemeRevision, uows: AssessmentUnitOfWorkFactory, who: Principal) -> SchemeView:
    number = int(cmd.revision) if cmd.revision.isascii() and cmd.revision.isdigit() else 0
    if not 1 <= number <= 1_000_000:
        raise InvalidArgument.field("name", "版本号应为正整数", "the revision must be a positive number",
                                    "MALFORMED_RESOURCE_NAME")
    with uows(cmd.tenant, write=False) as uow:
        record = load_scheme(uow, cmd.scheme_id)
        return SchemeView(record, load_revision(uow, record, number))


def list_scheme_templates() -> list[Scheme]:
    return list(shipped().values())
