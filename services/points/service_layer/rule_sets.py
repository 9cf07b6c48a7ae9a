"""Rule-set use cases: create (or adopt a template), read, update the draft, publish."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from services.common.auth import Principal
from services.common.clock import iso_date, utcnow
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
from services.points.domain.events import RuleSetPublished
from services.points.domain.names import revision_name, rule_set_name
from services.points.domain.rule_checks import clean_rule_set
from services.points.domain.rule_sets import (
    RuleSet,
    RuleSetContent,
    RuleSetRevision,
    State,
    check_rule_set_id,
)
from services.points.domain.templates import Template, shipped
from services.points.service_layer import commands as c
from services.points.service_layer.loaders import load_revision, load_rule_set, load_tenant
from services.points.service_layer.unit_of_work import PointsUnitOfWork, PointsUnitOfWorkFactory

CONTENT_FIELDS = frozenset({"mode", "base", "floor", "max_quantity", "thresholds", "rules"})
UPDATABLE = CONTENT_FIELDS | {"display_name", "description"}
DISPLAY_NAME_MAX, DESCRIPTION_MAX = 100, 1000
# A publication dated outside these years is a typo, not a policy.
EFFECTIVE_YEARS = (2000, 2099)


@dataclass(frozen=True)
class RuleSetView:
    """A rule set as one of its revisions states it."""

    rule_set: RuleSet
    revision: RuleSetRevision


def _check_names(v: Validator, display_name: str | None, description: str | None) -> tuple[str, str]:
    name = v.text(display_name, "rule_set.display_name", max_len=DISPLAY_NAME_MAX) if display_name is not None else ""
    about = (v.text(description, "rule_set.description", max_len=DESCRIPTION_MAX, required=False, multi_line=True)
             if description is not None else "")
    return name, about


def _checked_content(v: Validator, content: RuleSetContent) -> RuleSetContent:
    cleaned, problems = clean_rule_set(content)
    for p in problems:
        v.add(f"rule_set.{p.path}", p.zh, p.en)
    return cleaned


def _template(v: Validator, cmd: c.CreateRuleSet) -> Template | None:
    if not cmd.template:
        return None
    template = shipped().get(cmd.template)
    if template is None:
        names = ", ".join(shipped())
        v.add("template", f"没有名为 {cmd.template!r} 的模板，可选：{names}",
              f"no template {cmd.template!r}; templates: {names}")
    content = cmd.content
    if content.mode is not None or content.rules or content.thresholds:
        v.add("rule_set", "采用模板时不能同时给出规则（采用后再修改）",
              "must not state rules when adopting a template (adopt it, then update it)")
    return template


def create_rule_set(cmd: c.CreateRuleSet, uows: PointsUnitOfWorkFactory, who: Principal) -> RuleSetView:
    v = Validator()
    rule_set_id = check_rule_set_id(v, cmd.rule_set_id, "rule_set_id")
    template = _template(v, cmd)
    display_name, description = _check_names(v, cmd.display_name or (template.display_name if template else ""),
                                             cmd.description or (template.description if template else ""))
    if template is not None:
        content = _checked_content(v, template.content)
    else:  # an unknown template is already refused: its rules are not checked
        content = cmd.content if cmd.template else _checked_content(v, cmd.content)
    v.raise_if_any()
    now = utcnow()
    rule_set_id = rule_set_id or new_id("rs")
    rule_set = RuleSet(cmd.tenant, rule_set_id, display_name, description, cmd.template, 1, 1, now, now)
    revision = RuleSetRevision(cmd.tenant, rule_set_id, 1, State.DRAFT, content, created_at=now, updated_at=now)
    with uows(cmd.tenant, write=not cmd.validate_only) as uow:
        claim = None if cmd.validate_only else uow.idempotency.claim("CreateRuleSet", cmd)
        if claim is not None and claim.done:
            return _latest(uow, claim.done)
        load_tenant(uow)
        if uow.rule_sets.get(rule_set_id) is not None:
            raise AlreadyExists("RULE_SET_EXISTS", f"积分规则 {rule_set_id} 已存在",
                                f"rule set {rule_set_name(cmd.tenant, rule_set_id)} already exists")
        if cmd.validate_only:
            return RuleSetView(rule_set, revision)
        uow.rule_sets.add(rule_set, revision)
        claim.remember(rule_set_name(cmd.tenant, rule_set_id))
        view = _latest(uow, rule_set_id)
        uow.commit()
        return view


def _latest(uow: PointsUnitOfWork, rule_set_id: str) -> RuleSetView:
    rule_set = load_rule_set(uow, rule_set_id)
    return RuleSetView(rule_set, load_revision(uow, rule_set_id, rule_set.latest_revision))


def get_rule_set(cmd: c.GetRuleSet, uows: PointsUnitOfWorkFactory, who: Principal) -> RuleSetView:
    with uows(cmd.tenant, write=False) as uow:
        return _latest(uow, cmd.rule_set_id)


def list_rule_sets(cmd: c.ListRuleSets, uows: PointsUnitOfWorkFactory,
                   who: Principal) -> tuple[list[RuleSetView], str]:
    page = Page.open(cmd, uows.page_tokens, shape=(str,))
    with uows(cmd.tenant, write=False) as uow:
        found = [RuleSetView(*pair) for pair in uow.rule_sets.list_latest(page.after_one(), page.fetch)]
    return page.cut(found, lambda view: [view.rule_set.id])


def update_rule_set(cmd: c.UpdateRuleSet, uows: PointsUnitOfWorkFactory, who: Principal) -> RuleSetView:
    check_update_mask(cmd.changes, UPDATABLE)
    v = Validator()
    display_name, description = _check_names(v, cmd.changes.get("display_name"), cmd.changes.get("description"))
    v.raise_if_any()
    with uows(cmd.tenant) as uow:
        rule_set = load_rule_set(uow, cmd.rule_set_id, lock=True)
        check_etag(cmd.etag, rule_set.version, rule_set_name(cmd.tenant, rule_set.id))
        latest = load_revision(uow, rule_set.id, rule_set.latest_revision)
        now = utcnow()
        content_changes = {key: cmd.changes[key] for key in CONTENT_FIELDS & set(cmd.changes)}
        if "mode" in content_changes and "base" not in content_changes:
            content_changes["base"] = None  # the new mode's default base, not the old mode's
        content = _checked_content(v, replace(latest.content, **content_changes))
        v.raise_if_any()
        if content_changes and latest.published:
            latest = RuleSetRevision(cmd.tenant, rule_set.id, latest.revision + 1, State.DRAFT, content,
                                     created_at=now, updated_at=now)
            if not cmd.validate_only:
                uow.rule_sets.add_revision(latest)
        elif content_changes:
            latest = replace(latest, content=content, updated_at=now)
            if not cmd.validate_only:
                uow.rule_sets.save_revision(latest)
        rule_set = replace(
            rule_set, latest_revision=latest.revision, version=rule_set.version + 1, updated_at=now,
            display_name=display_name if "display_name" in cmd.changes else rule_set.display_name,
            description=description if "description" in cmd.changes else rule_set.description)
        if cmd.validate_only:
            return RuleSetView(rule_set, latest)  # leaving the block rolls everything back
        uow.rule_sets.save(rule_set)
        uow.commit()
        return RuleSetView(rule_set, latest)


def _effective_from(value: str) -> dt.date:
    v = Validator()
    day = v.date(value, "effective_from")
    v.require(bool(value), "effective_from", "必须指定生效日期", "must be set (YYYY-MM-DD)")
    if day is not None:
        low, high = EFFECTIVE_YEARS
        v.require(low <= day.year <= high, "effective_from", f"年份应在 {low} 到 {high} 之间",
                  f"must be in the years {low} to {high}")
    v.raise_if_any()
    return day


def publish_rule_set(cmd: c.PublishRuleSet, uows: PointsUnitOfWorkFactory, who: Principal) -> RuleSetView:
    effective_from = _effective_from(cmd.effective_from)
    with uows(cmd.tenant) as uow:
        # Two rule sets published at once must not both pass the check against the previous one.
        uow.rule_sets.lock_all()
        rule_set = load_rule_set(uow, cmd.rule_set_id)
        name = rule_set_name(cmd.tenant, rule_set.id)
        check_etag(cmd.etag, rule_set.version, name)
        draft = load_revision(uow, rule_set.id, rule_set.latest_revision)
        if draft.published:
            raise FailedPrecondition("NOTHING_TO_PUBLISH", f"{name} 没有待发布的草稿（第{draft.revision}版已发布）",
                                     f"{name} has no draft to publish: revision {draft.revision} is published; "
                                     f"update it to start a new draft")
        previous = uow.rule_sets.latest_published()
        if previous is not None and effective_from < previous.effective_from:
            prior = revision_name(cmd.tenant, previous.rule_set_id, previous.revision)
            raise InvalidArgument.field(
                "effective_from", f"不能早于本县已发布规则 {prior} 的生效日期 {iso_date(previous.effective_from)}",
                f"must not be before {iso_date(previous.effective_from)}, when {prior} took effect",
                "EFFECTIVE_BEFORE_PREVIOUS")
        now = utcnow()
        published = replace(draft, state=State.PUBLISHED, effective_from=effective_from, published_at=now,
                            published_by=who.subject, updated_at=now)
        uow.rule_sets.save_revision(published)
        rule_set = replace(rule_set, version=rule_set.version + 1, updated_at=now)
        uow.rule_sets.save(rule_set)
        uow.emit(RuleSetPublished.of(rule_set, published))
        uow.commit()
        return RuleSetView(rule_set, published)


def list_rule_set_revisions(cmd: c.ListRuleSetRevisions, uows: PointsUnitOfWorkFactory,
                            who: Principal) -> tuple[list[RuleSetView], str]:
    page = Page.open(cmd, uows.page_tokens, shape=(int,))
    with uows(cmd.tenant, write=False) as uow:
        rule_set = load_rule_set(uow, cmd.rule_set_id)
        found = [RuleSetView(rule_set, r) for r in uow.rule_sets.revisions(rule_set.id, page.after_one(), page.fetch)]
    return page.cut(found, lambda view: [view.revision.revision])


def get_rule_set_revision(cmd: c.GetRuleSetRevision, uows: PointsUnitOfWorkFactory, who: Principal) -> RuleSetView:
    number = int(cmd.revision) if cmd.revision.isascii() and cmd.revision.isdigit() else 0
    if not 1 <= number <= 1_000_000:
        raise InvalidArgument.field("name", "版本号应为正整数", "the revision must be a positive number",
                                    "MALFORMED_RESOURCE_NAME")
    with uows(cmd.tenant, write=False) as uow:
        rule_set = load_rule_set(uow, cmd.rule_set_id)
        return RuleSetView(rule_set, load_revision(uow, rule_set.id, number))


def list_rule_set_templates() -> list[Template]:
    return list(shipped().values())
