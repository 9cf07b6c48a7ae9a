"""Making messages: render a source's data through the tenant's template (or the default) for
each recipient and channel, and store them. Every producer of messages calls `compose`."""

from __future__ import annotations

import datetime as dt
import json

from services.common.ids import new_id
from services.notify.domain.messages import (
    Channel,
    Message,
    Recipient,
    RecipientKind,
    SourceKind,
    Status,
)
from services.notify.domain.templates import DEFAULTS, Template, render


def template_for(uow, event_type: str, channel: Channel) -> Template | None:
    """The tenant's template for this event type and channel, else the shipped default."""
    return DEFAULTS.get((event_type, channel))


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
            template = template_for(uow, source_type, channel)
            rendered[channel] = None if template is None else render(template, data)
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
