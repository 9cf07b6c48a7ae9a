"""Delivery status for every message (GetMessage, ListMessages) and the SMS sink (ListSmsSink)."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.errors import not_found
from services.common.pagination import Page
from services.notify.adapters.repositories.deliveries import SinkEntry
from services.notify.domain.messages import Message
from services.notify.domain.names import message_name


@dataclass
class GetMessage:
    tenant: str
    id: str


@dataclass
class ListMessages:
    tenant: str
    channel: str = ""  # a Channel value; "" all
    status: str = ""  # a Status value; "" all
    recipient_kind: str = ""
    recipient_id: str = ""
    page_size: int = 0
    page_token: str = ""


@dataclass
class ListSmsSink:
    tenant: str
    page_size: int = 0
    page_token: str = ""


def get_message(cmd: GetMessage, uows, who) -> Message:
    with uows(cmd.tenant, write=False) as uow:
        found = uow.messages.get(cmd.id)
    if found is None:
        raise not_found("消息", "message", message_name(cmd.tenant, cmd.id))
    return found


def list_messages(cmd: ListMessages, uows, who) -> tuple[list[Message], str]:
    """The county's messages, newest first, narrowed by channel, status and recipient."""
    page = Page.open(cmd, uows.page_tokens, shape=(str, str))
    recipient = (cmd.recipient_kind, cmd.recipient_id) if cmd.recipient_id else None
    with uows(cmd.tenant, write=False) as uow:
        found = uow.message_listing.page(cmd.channel, cmd.status, recipient,
                                         tuple(page.after) if page.after else None, page.fetch)
    return page.cut(found, lambda msg: [msg.created_at.isoformat(), msg.id])


def list_sms_sink(cmd: ListSmsSink, uows, who) -> tuple[list[SinkEntry], str]:
    page = Page.open(cmd, uows.page_tokens, shape=(str, str))
    with uows(cmd.tenant, write=False) as uow:
        found = uow.deliveries.sink_page(tuple(page.after) if page.after else None, page.fetch)
    return page.cut(found, lambda entry: [entry.created_at.isoformat(), entry.id])
