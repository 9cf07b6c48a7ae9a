"""GetNoticeStatus at any size: the counts of the whole tree from SQL tallies, one page of the
notice's own recipients, and below each of those that forwarded it the forwarded notice's tree
(a station's villages: small, answered whole)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.common.pagination import Page
from services.notify.domain.notices import Notice
from services.notify.domain.status import Counts, NoticeTree, UnitCounts
from services.notify.domain.status_counts import Tally, counts_of
from services.notify.service_layer.unit_of_work import NotifyUnitOfWork

# County → township → station → village → group: deeper forwarding is not a task list's shape,
# and the bound keeps a status read finite whatever the data holds.
MAX_FORWARD_DEPTH = 8
# A task list's tree is a few hundred units: one page answers it; a county-wide fan-out pages.
STATUS_PAGE_SIZE = 500
_NONE = Tally(0, 0, 0, 0, 0)


@dataclass
class StatusPage:
    tree: NoticeTree  # the notice with this page of its recipients and their forwarded trees
    counts: Counts
    tree_counts: Counts
    unit_counts: list[UnitCounts]
    next_page_token: str


def status_page(uow: NotifyUnitOfWork, notice: Notice, page: Page, now: dt.datetime) -> StatusPage:
    found = uow.status.page(notice.id, page.after, page.fetch)
    recipients, token = page.cut(found, lambda r: [r.parent_display_name, r.unit_display_name, r.unit_id])
    tree = NoticeTree(notice, recipients)
    children = uow.notices.get_many(r.forwarded_notice_id for r in recipients if r.forwarded_notice_id)
    below = notice_trees(uow, list(children.values()))
    tree.forwarded = {r.unit_id: below[r.forwarded_notice_id] for r in recipients if r.forwarded_notice_id in below}
    counts = counts_of(notice, uow.status.tallies([notice.id]).get(notice.id, _NONE), now)
    groups = sorted((UnitCounts(unit_id, name, counts_of(notice, tally, now))
                     for unit_id, name, tally in uow.status.tallies_per_parent(notice.id)),
                    key=lambda group: (group.display_name, group.unit_id or ""))
    return StatusPage(tree, counts, _tree_counts(uow, notice, now), groups, token)


def _tree_counts(uow: NotifyUnitOfWork, notice: Notice, now: dt.datetime) -> Counts:
    """Counts over the notice and every notice forwarded below it, level by level in SQL."""
    total, level = Counts(), {notice.id: notice}
    for _ in range(MAX_FORWARD_DEPTH):
        if not level:
            break
        tallies = uow.status.tallies(level)
        for notice_id, found in level.items():
            total.add(counts_of(found, tallies.get(notice_id, _NONE), now))
        level = uow.notices.get_many(uow.status.forwarded(level))
    return total


def notice_trees(uow: NotifyUnitOfWork, notices: list[Notice]) -> dict[str, NoticeTree]:
    """Each notice's tree: its recipients and, below each that forwarded it, the forwarded
    notice's tree. One query per level of forwarding, however many recipients each level has."""
    roots = {notice.id: NoticeTree(notice, []) for notice in notices}
    level = dict(roots)
    for _ in range(MAX_FORWARD_DEPTH):
        if not level:
            break
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
    return roots
