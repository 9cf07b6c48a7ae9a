"""Reads: where a notice (and the tree of its forwards) stands, listings, a unit's inbox."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.auth import Principal
from services.common.clerks import outside_subtree
from services.common.pagination import Page
from services.common.tenancy import tenant_name
from services.notify.adapters.queries import InboxItem
from services.notify.domain.notices import Notice
from services.notify.domain.status import NoticeTree
from services.notify.service_layer import commands as c
from services.notify.service_layer.loaders import load_notice, unit_for_read
from services.notify.service_layer.scope import (
    check_own_unit,
    check_sender_within,
    check_within,
    clerk_root,
)
from services.notify.service_layer.unit_of_work import NotifyUnitOfWork, NotifyUnitOfWorkFactory

# County → township → station → village → group: deeper forwarding is not a task list's shape,
# and the bound keeps a status read finite whatever the data holds.
MAX_FORWARD_DEPTH = 8


def get_notice_status(cmd: c.GetNoticeStatus, uows: NotifyUnitOfWorkFactory, who: Principal) -> NoticeTree:
    """The notice, its recipients and, below each that forwarded it, the forwarded notice's tree."""
    with uows(cmd.tenant, write=False) as uow:
        notice = load_notice(uow, cmd.notice_id)
        check_sender_within(uow, who, notice.sender_unit_id)
        return notice_tree(uow, notice)


def notice_tree(uow: NotifyUnitOfWork, notice: Notice) -> NoticeTree:
    """One query per level of forwarding, however many recipients each level has."""
    root = NoticeTree(notice, [])
    level = {notice.id: root}
    for _ in range(MAX_FORWARD_DEPTH):
        copies = uow.notices.recipients(level)
        below: dict[str, tuple[NoticeTree, str]] = {}
        for notice_id, tree in level.items():
            tree.recipients = copies[notice_id]
            below.update({r.forwarded_notice_id: (tree, r.unit_id) for r in tree.recipients if r.forwarded_notice_id})
        children = uow.notices.get_many(below)
        level = {}
        for child_id, (parent, unit_id) in below.items():
            if child_id in children:
                level[child_id] = parent.forwarded[unit_id] = NoticeTree(children[child_id], [])
        if not level:
            break
    return root


@dataclass(frozen=True)
class Inbox:
    items: list[InboxItem]
    next_page_token: str
    unread: int
    total: int


def list_inbox(cmd: c.ListInbox, uows: NotifyUnitOfWorkFactory, who: Principal) -> Inbox:
    """A unit's copies, unread first, then newest first, with its unread and total counts."""
    page = Page.open(cmd, uows.page_tokens, shape=(int, str, str))
    with uows(cmd.tenant, write=False) as uow:
        unit = unit_for_read(uow, cmd.unit_id)
        check_own_unit(uow, who, unit.id, unit.display_name)
        found = uow.queries.inbox(unit.id, cmd.unread_only, page.after, page.fetch)
        unread, total = uow.queries.count_inbox(unit.id)
    items, token = page.cut(found, lambda item: item[1])
    return Inbox([item for item, _ in items], token, unread, total)


def list_notices(cmd: c.ListNotices, uows: NotifyUnitOfWorkFactory, who: Principal) -> tuple[list[Notice], str]:
    """Notices sent by a unit (or the county, "-") or addressed to one, newest first; a clerk
    without a filter lists what units in their subtree sent."""
    page = Page.open(cmd, uows.page_tokens, shape=(str, str))
    with uows(cmd.tenant, write=False) as uow:
        root = clerk_root(uow, who)
        county_sent = cmd.sent_by == "-"
        if county_sent and root is not None:
            raise outside_subtree(tenant_name(uow.tenant), "县委组织部")
        sent_by = None if county_sent or cmd.sent_by is None else _visible(uow, who, cmd.sent_by)
        addressed_to = None if cmd.addressed_to is None else _visible(uow, who, cmd.addressed_to)
        within = root.id if root is not None and sent_by is None and addressed_to is None else None
        found = uow.queries.notices(sent_by, county_sent, addressed_to, within, page.after, page.fetch)
    notices, token = page.cut(found, lambda item: item[1])
    return [notice for notice, _ in notices], token


def _visible(uow: NotifyUnitOfWork, who: Principal, unit_id: str) -> str:
    unit = unit_for_read(uow, unit_id)
    check_within(uow, who, unit)
    return unit.id
