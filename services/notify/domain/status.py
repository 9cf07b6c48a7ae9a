"""Where a notice stands: counts over its recipients, per parent unit and over its whole tree (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.notify.domain.notices import Notice, Recipient


@dataclass
class Counts:
    recipients: int = 0
    read: int = 0
    acknowledged: int = 0
    reported: int = 0
    overdue: int = 0

    def add(self, other: Counts) -> None:
        self.recipients += other.recipients
        self.read += other.read
        self.acknowledged += other.acknowledged
        self.reported += other.reported
        self.overdue += other.overdue


def count(notice: Notice, recipients: list[Recipient], now: dt.datetime) -> Counts:
    """Reading, 签收 and reporting each count what came after them: a report is receipt too."""
    counts = Counts()
    for r in recipients:
        counts.recipients += 1
        counts.read += r.read_at is not None
        counts.acknowledged += r.acknowledged_at is not None
        counts.reported += r.reported_at is not None
        counts.overdue += r.overdue(notice, now)
    return counts


@dataclass
class UnitCounts:
    """The recipients below one unit (their parent at send time)."""

    unit_id: str | None
    display_name: str
    counts: Counts


def per_parent(notice: Notice, recipients: list[Recipient], now: dt.datetime) -> list[UnitCounts]:
    """Counts grouped by each recipient's parent unit, by the parent's name."""
    groups: dict[str | None, tuple[str, list[Recipient]]] = {}
    for r in recipients:
        groups.setdefault(r.parent_unit_id, (r.parent_display_name, []))[1].append(r)
    return sorted((UnitCounts(unit_id, name, count(notice, members, now)) for unit_id, (name, members) in groups.items()),
                  key=lambda group: (group.display_name, group.unit_id or ""))


@dataclass
class NoticeTree:
    """A notice, its recipients and, below each that forwarded it, the forwarded notice's tree."""

    notice: Notice
    recipients: list[Recipient]
    forwarded: dict[str, NoticeTree] = field(default_factory=dict)  # by forwarding unit id

    def counts(self, now: dt.datetime) -> Counts:
        return count(self.notice, self.recipients, now)

    def tree_counts(self, now: dt.datetime) -> Counts:
        total = self.counts(now)
        for child in self.forwarded.values():
            total.add(child.tree_counts(now))
        return total
