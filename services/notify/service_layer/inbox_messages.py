"""The inbox of messages (站内消息): a unit's or a member's INBOX messages, and reading one.

Who reads what: a unit's inbox is its clerks' (Clerk.OWN_UNIT), the county's and a system's with
notify.read. Members do not sign in (services/common/auth.py has no member identity), so a
member's own inbox is read by the county and systems only; a clerk is refused it and finds the
same message in their unit's inbox, where every message to a member is also addressed.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.common.auth import Principal, Role
from services.common.clock import utcnow
from services.common.errors import FailedPrecondition, PermissionDenied, not_found, stale_etag
from services.common.pagination import Page
from services.common.tenancy import check_etag
from services.notify.adapters.inbox_messages import InboxMessages
from services.notify.domain.messages import Channel, Message, RecipientKind
from services.notify.domain.names import member_name, message_name
from services.notify.service_layer.loaders import unit_for_read
from services.notify.service_layer.scope import check_own_unit
from services.notify.service_layer.unit_of_work import NotifyUnitOfWork, NotifyUnitOfWorkFactory


@dataclass(frozen=True)
class ListInboxMessages:
    tenant: str
    recipient_kind: RecipientKind
    recipient_id: str
    unread_only: bool = False
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True)
class MarkMessageRead:
    tenant: str
    message_id: str
    etag: str = ""


@dataclass(frozen=True)
class InboxPage:
    messages: list[Message]
    next_page_token: str
    unread: int
    total: int


def _member_inbox_refused(name: str) -> PermissionDenied:
    return PermissionDenied(
        "MEMBER_INBOX", "党员本人尚不能登录；党员的消息由县委组织部查看，本单位消息请在单位收件箱查看",
        f"members do not sign in yet: {name}'s inbox is read by the county; a clerk reads the same "
        "messages in the unit's inbox", {"member": name})


def _check_reader(uow: NotifyUnitOfWork, who: Principal, kind: RecipientKind, recipient_id: str) -> None:
    """NOT_FOUND for a unit or member the directory does not know, PERMISSION_DENIED for a clerk
    of another unit or of any member."""
    if kind is RecipientKind.UNIT:
        unit = unit_for_read(uow, recipient_id)
        check_own_unit(uow, who, unit.id, unit.display_name)
        return
    if kind is RecipientKind.ENDPOINT:  # another system's webhook: the county's business
        if who.role is Role.CLERK:
            raise PermissionDenied("NOT_OWN_UNIT", "无权查看该消息", "a clerk reads their own unit's messages only")
        return
    name = member_name(uow.tenant, recipient_id)
    if uow.directory.member(recipient_id) is None:
        raise not_found("党员", "member", name)
    if who.role is Role.CLERK:
        raise _member_inbox_refused(name)


def list_inbox_messages(cmd: ListInboxMessages, uows: NotifyUnitOfWorkFactory, who: Principal) -> InboxPage:
    """A recipient's inbox messages, unread first, then newest first, with its unread and total counts."""
    page = Page.open(cmd, uows.page_tokens, shape=(int, str, str))
    with uows(cmd.tenant, write=False) as uow:
        _check_reader(uow, who, cmd.recipient_kind, cmd.recipient_id)
        inbox = InboxMessages(uow.conn, uow.tenant)
        found = inbox.page(cmd.recipient_kind, cmd.recipient_id, cmd.unread_only, page.after, page.fetch)
        unread, total = inbox.counts(cmd.recipient_kind, cmd.recipient_id)
    items, token = page.cut(found, lambda item: item[1])
    return InboxPage([msg for msg, _ in items], token, unread, total)


def mark_message_read(cmd: MarkMessageRead, uows: NotifyUnitOfWorkFactory, who: Principal) -> Message:
    """Open an inbox message (once: reading it again answers it as it is)."""
    name = message_name(cmd.tenant, cmd.message_id)
    with uows(cmd.tenant) as uow:
        msg = uow.messages.get(cmd.message_id)
        if msg is None:
            raise not_found("消息", "message", name)
        _check_reader(uow, who, msg.recipient.kind, msg.recipient.id)
        if msg.channel is not Channel.INBOX:
            raise FailedPrecondition("NOT_AN_INBOX_MESSAGE", "只有站内消息可以标记为已读",
                                     f"{name} is a {msg.channel.value} message: only inbox messages are read here",
                                     {"message": name})
        if msg.read_at is not None:
            return msg
        check_etag(cmd.etag, msg.version, name)
        opened = msg.read(utcnow())
        if not uow.messages.save(opened):
            raise stale_etag(name)
        uow.commit()
    return opened
