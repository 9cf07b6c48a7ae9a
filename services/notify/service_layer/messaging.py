"""Making messages: render a source's data through the tenant's template (or the default) for
each recipient and channel, and store them. Every producer of messages calls `compose`."""

from __future__ import annotations

import datetime as dt
import json
import logging

from services.common.ids import new_id
from services.notify.domain.messages import (
    Channel,
    Message,
    Recipient,
    RecipientKind,
    SourceKind,
    Status,
)
from services.notify.domain.template_checks import LOCALES
from services.notify.domain.templates import DEFAULT_LOCALE, DEFAULTS, RenderError, Template, render

log = logging.getLogger("partybuilding.notify.messaging")
SUBJECT_STORED = 200  # characters: the messages.subject column


def tenant_locale(uow) -> str:
    """The county's locale (its organization settings) where notify ships templates for it, else zh-CN."""
    key = ("notify_locale", uow.tenant)
    if key not in uow.loaded:
        county = uow.directory.tenant()
        locale = county.locale if county is not None else ""
        uow.loaded[key] = locale if locale in LOCALES else DEFAULT_LOCALE
    return uow.loaded[key]


def template_for(uow, event_type: str, channel: Channel, locale: str | None = None) -> Template | None:
    """The county's own template for this event type and channel in its locale (else in zh-CN),
    else the shipped default."""
    locale = locale or tenant_locale(uow)
    for wanted in dict.fromkeys((locale, DEFAULT_LOCALE)):
        stored = uow.templates.get(event_type, channel, wanted)
        if stored is not None:
            return stored.template
    return DEFAULTS.get((event_type, channel))


def _rendered(uow, event_type: str, channel: Channel, data: dict) -> tuple[str, str] | None:
    template = template_for(uow, event_type, channel)
    if template is None:
        return None
    try:
        subject, body = render(template, data)
        # Checked on the sample when saved; a longer name in the data must not overflow the column.
        return subject[:SUBJECT_STORED], body
    except RenderError:
        # A county's template was checked against the fields when saved; one that no longer
        # renders (its event type dropped a field since) must not stop the message: the default speaks.
        default = DEFAULTS.get((event_type, channel))
        if default is None or default is template:
            raise
        log.warning("notify: the county's %s template for %s does not render; the default was used",
                    channel.value, event_type, extra={"fields": {"tenant": uow.tenant}})
        subject, body = render(default, data)
        return subject[:SUBJECT_STORED], body


def compose(uow, *, source_kind: SourceKind, source_key: str, source_type: str, data: dict,
            recipients: list[tuple[Channel, Recipient]], now: dt.datetime, urgent: bool = False,
            notice_id: str | None = None, unit_id: str | None = None,
            next_attempt_at: dt.datetime | None = None) -> list[Message]:
    """Store one message per (channel, recipient) of this source; returns the ones new now.

    An inbox message is delivered when stored; the others wait, QUEUED, for the delivery
    process. A channel without a template for this event type is skipped. Every enabled webhook
    endpoint of the county whose filters take `source_type` gets one WEBHOOK message carrying
    the data as JSON (its subject the event type; no template)."""
    made, payload = [], json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    rendered: dict[Channel, tuple[str, str] | None] = {Channel.WEBHOOK: (source_type, payload)}
    for channel, recipient in [*recipients, *_endpoints_for(uow, source_type)]:
        if channel not in rendered:
            rendered[channel] = _rendered(uow, source_type, channel, data)
        text = rendered[channel]
        if text is None:
            continue
        inbox = channel is Channel.INBOX
        made.append(Message(
            uow.tenant, new_id("msg"), channel, recipient, source_kind, source_key, source_type, text[0], text[1],
            payload, urgent, Status.DELIVERED if inbox else Status.QUEUED, "", 0, now,
            next_attempt_at=None if inbox else next_attempt_at, delivered_at=now if inbox else None,
            sent_at=now if inbox else None, notice_id=notice_id, unit_id=unit_id))
    return uow.messages.add(made)


def _endpoints_for(uow, source_type: str) -> list[tuple[Channel, Recipient]]:
    """The county's enabled endpoints whose filters take this event type (docs/notify-channels.md);
    read once per transaction, however many sources it composes."""
    if "webhook_endpoints" not in uow.loaded:
        uow.loaded["webhook_endpoints"] = uow.webhooks.enabled()
    return [(Channel.WEBHOOK, Recipient(RecipientKind.ENDPOINT, e.id, e.display_name, e.url))
            for e in uow.loaded["webhook_endpoints"] if e.receives(source_type)]
