"""Reads: where a notice (and the tree of its forwards) stands, listings, a unit's inbox."""

from __future__ import annotations

from dataclasses import dataclass, replace

from services.common.auth import Principal
from services.common.clerks import outside_subtree
from services.common.clock import utcnow
from services.common.pagination import Page
from services.common.tenancy import tenant_name
from services.notify.adapters.queries import InboxItem
from services.notify.domain.notices import Notice
from services.notify.service_layer import commands as c
from services.notify.service_layer.loaders import load_notice, unit_for_read
from services.notify.service_layer.scope import (
    check_own_unit,
    check_sender_within,
    check_within,
    clerk_root,
)
from services.notify.service_layer.status_pages import STATUS_PAGE_SIZE, StatusPage, status_page
from services.notify.service_layer.unit_of_work import NotifyUnitOfWork, NotifyUnitOfWorkFactory


def get_notice_status(cmd: c.GetNoticeStatus, uows: NotifyUnitOfWorkFactory, who: Principal) -> StatusPage:
    """The notice, one page of its recipients and, below each that forwarded it, the forwarded
    notice's tree; the counts cover every recipient of the tree."""
    page = Page.open(replace(cmd, page_size=cmd.page_size or STATUS_PAGE_SIZE), uows.page_tokens,
                     shape=(str, str, str))
    with uows(cmd.tenant, write=False) as uow:
        notice = load_notice(uow, cmd.notice_id)
        check_sender_within(uow, who, notice.sender_unit_id)
        return status_page(uow, notice, page, utcnow())


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
