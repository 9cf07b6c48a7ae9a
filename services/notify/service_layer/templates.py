"""A county's own message templates (模板): put, read, list, preview, delete back to the default.

A template is checked whole before it is stored (domain/template_checks.py): the kernel's text
rules on its sources, then compile, fields, sandbox and size over the event type's sample data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.common.auth import Principal
from services.common.clock import utcnow
from services.common.errors import FieldViolation, InvalidArgument, NotFound, Validator, stale_etag
from services.common.pagination import Page
from services.common.tenancy import check_etag
from services.notify.domain import event_templates  # noqa: F401  (registers the event types it consumes)
from services.notify.domain.messages import Channel
from services.notify.domain.template_checks import (
    BODY_MAX,
    LOCALES,
    SUBJECT_MAX,
    TEXT_CHANNELS,
    check_template,
)
from services.notify.domain.template_names import TemplateKey, template_name
from services.notify.domain.templates import (
    DEFAULT_LOCALE,
    DEFAULTS,
    FIELDS,
    SAMPLES,
    Template,
    render,
)
from services.notify.service_layer.unit_of_work import NotifyUnitOfWork, NotifyUnitOfWorkFactory

DATA_VALUE_MAX = 2000  # characters of one preview data value


@dataclass(frozen=True)
class TemplateView:
    tenant: str
    template: Template
    shipped_default: bool
    version: int = 0
    updated_by: str = ""
    updated_at: dt.datetime | None = None

    @property
    def name(self) -> str:
        t = self.template
        return template_name(self.tenant, t.event_type, t.channel, t.locale)


@dataclass(frozen=True)
class PutTemplate:
    tenant: str
    event_type: str
    channel: str
    locale: str
    subject: str
    body: str
    etag: str = ""


@dataclass(frozen=True)
class ListTemplates:
    tenant: str
    event_type: str
    page_size: int
    page_token: str


@dataclass(frozen=True)
class PreviewTemplate:
    tenant: str
    event_type: str
    channel: str
    locale: str
    subject: str
    body: str
    data: dict


def _key(v: Validator, tenant: str, event_type: str, channel: str, locale: str) -> TemplateKey | None:
    """The template's event type, channel and locale, each checked (violations recorded in v)."""
    ok = v.require(event_type in FIELDS, "template.event_type", f"未知的事件类型 {event_type!r}",
                   f"unknown event type {event_type!r} (known: {', '.join(sorted(FIELDS))})")
    text_channels = [c.value for c in TEXT_CHANNELS]
    ok &= v.require(channel in text_channels, "template.channel", f"渠道应为 {'、'.join(text_channels)}",
                    f"must be one of {', '.join(text_channels)} (a webhook posts the event's data, not text)")
    ok &= v.require(locale in LOCALES, "template.locale", f"语言应为 {'、'.join(LOCALES)}",
                    f"must be one of {', '.join(LOCALES)}")
    return TemplateKey(tenant, event_type, Channel(channel), locale) if ok else None


def checked_template(tenant: str, event_type: str, channel: str, locale: str, subject: str, body: str,
                     data: dict | None = None, draft: bool = False) -> Template:
    """The template as it would be stored, or INVALID_ARGUMENT naming every wrong field (a draft,
    previewed, may leave its subject empty)."""
    v = Validator()
    key = _key(v, tenant, event_type, channel or "", locale or DEFAULT_LOCALE)
    required_subject = not draft and key is not None and key.channel is Channel.INBOX
    subject = v.text(subject, "template.subject", max_len=SUBJECT_MAX, required=required_subject)
    body = v.text(body, "template.body", max_len=BODY_MAX, multi_line=True)
    v.raise_if_any()
    template = Template(key.event_type, key.channel, key.locale, subject, body)
    problems = check_template(template, data)
    if problems:
        raise InvalidArgument.of([FieldViolation(p.field, p.zh, p.en) for p in problems], "TEMPLATE_INVALID")
    return template


def _current(uow: NotifyUnitOfWork, key: TemplateKey) -> TemplateView | None:
    stored = uow.templates.get(key.event_type, key.channel, key.locale)
    if stored is not None:
        return TemplateView(uow.tenant, stored.template, False, stored.version, stored.updated_by, stored.updated_at)
    default = DEFAULTS.get((key.event_type, key.channel)) if key.locale == DEFAULT_LOCALE else None
    return None if default is None else TemplateView(uow.tenant, default, True)


def _not_found(key: TemplateKey) -> NotFound:
    return NotFound("TEMPLATE_NOT_FOUND", f"模板不存在：{key.name}（该事件类型在此渠道和语言下没有模板）",
                    f"no template {key.name}: the county has none and none is shipped for this channel and locale",
                    {"resource": key.name})


def put_template(cmd: PutTemplate, uows: NotifyUnitOfWorkFactory, who: Principal) -> TemplateView:
    """Store the county's template (created, or replaced; a stale etag is ABORTED)."""
    template = checked_template(cmd.tenant, cmd.event_type, cmd.channel, cmd.locale, cmd.subject, cmd.body)
    key = TemplateKey(cmd.tenant, template.event_type, template.channel, template.locale)
    now = utcnow()
    with uows(cmd.tenant) as uow:
        stored = uow.templates.get(key.event_type, key.channel, key.locale)
        version = stored.version if stored else 0
        check_etag(cmd.etag, version, key.name)
        if not uow.templates.put(template, version + 1, who.subject, now):
            raise stale_etag(key.name)
        uow.commit()
    return TemplateView(cmd.tenant, template, False, version + 1, who.subject, now)


def get_template(key: TemplateKey, uows: NotifyUnitOfWorkFactory) -> TemplateView:
    with uows(key.tenant, write=False) as uow:
        view = _current(uow, key)
    if view is None:
        raise _not_found(key)
    return view


def list_templates(cmd: ListTemplates, uows: NotifyUnitOfWorkFactory) -> tuple[list[TemplateView], str]:
    """Every template in force: the county's own and the shipped defaults it has not replaced, by name."""
    page = Page.open(cmd, uows.page_tokens, shape=(str,))
    with uows(cmd.tenant, write=False) as uow:
        views = {v.name: v for v in (TemplateView(cmd.tenant, t, True) for (event_type, _), t in DEFAULTS.items()
                                     if not cmd.event_type or event_type == cmd.event_type)}
        for s in uow.templates.list(cmd.event_type or None):
            view = TemplateView(cmd.tenant, s.template, False, s.version, s.updated_by, s.updated_at)
            views[view.name] = view
    after = page.after_one()
    found = [views[name] for name in sorted(views) if after is None or name > after]
    return page.cut(found[:page.fetch], lambda view: [view.name])


def preview_template(cmd: PreviewTemplate, uows: NotifyUnitOfWorkFactory) -> tuple[str, str, dict]:
    """(subject, body, data) of the given sources, or of the template in force, over `data` laid
    on the event type's sample data."""
    v = Validator()
    key = _key(v, cmd.tenant, cmd.event_type, cmd.channel or Channel.INBOX.value, cmd.locale or DEFAULT_LOCALE)
    v.raise_if_any()
    for name, value in sorted(cmd.data.items()):
        if v.require(name in FIELDS[key.event_type], f"data.{name}", f"{key.event_type} 没有字段 {name}",
                     f"{key.event_type} has no field {name!r}"):
            v.text(value, f"data.{name}", max_len=DATA_VALUE_MAX, required=False, multi_line=True)
    v.raise_if_any()
    data = {**SAMPLES[key.event_type], **cmd.data}
    if cmd.subject or cmd.body:
        template = checked_template(cmd.tenant, key.event_type, key.channel.value, key.locale, cmd.subject,
                                    cmd.body, data, draft=True)
    else:
        with uows(cmd.tenant, write=False) as uow:
            view = _current(uow, key)
        if view is None:
            raise _not_found(key)
        template = view.template
    subject, body = render(template, data)
    return subject, body, data


def delete_template(key: TemplateKey, etag: str, uows: NotifyUnitOfWorkFactory) -> TemplateView:
    """Remove the county's template; answers the template in force now (the shipped default, or
    for a locale notify ships nothing in, the zh-CN one messages fall back to)."""
    with uows(key.tenant) as uow:
        stored = uow.templates.get(key.event_type, key.channel, key.locale)
        if stored is not None:
            check_etag(etag, stored.version, key.name)
            if not uow.templates.delete(key.event_type, key.channel, key.locale, stored.version):
                raise stale_etag(key.name)
        fallback = TemplateKey(key.tenant, key.event_type, key.channel, DEFAULT_LOCALE)
        view = _current(uow, key) or _current(uow, fallback)
        if stored is None and _current(uow, key) is None:
            raise _not_found(key)
        uow.commit()
    if view is None:
        raise _not_found(key)
    return view
