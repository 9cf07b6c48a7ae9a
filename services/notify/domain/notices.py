"""Notices (通知、任务清单) and each addressed unit's copy of one: plain Python, no I/O.

A notice is frozen once sent: its recipients were resolved then and are never re-resolved. What
changes is each recipient's progress (read, 签收, report) and whether it forwarded the notice.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, replace


class FieldKind(enum.StrEnum):
    """The kind of one report-form field; the values are the proto's enum value names."""

    TEXT = "TEXT"
    NUMBER = "NUMBER"
    DATE = "DATE"
    CHOICE = "CHOICE"


class RecipientState(enum.StrEnum):
    """How far an addressed unit has got with a notice, in order."""

    UNREAD = "UNREAD"
    READ = "READ"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    REPORTED = "REPORTED"


@dataclass(frozen=True)
class ReportField:
    """One named field of a report form (回执/汇报表)."""

    name: str
    label_zh: str
    label_en: str
    kind: FieldKind | None
    required: bool
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecipientSelector:
    """The units of a subtree, narrowed by unit type and by the posts held in them (proto names)."""

    subtree_id: str
    unit_types: tuple[str, ...] = ()
    post_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Addressee:
    """A post holder a notice was addressed to, as the directory knew them at send time."""

    post_type: str
    member_id: str
    display_name: str


@dataclass(frozen=True)
class Report:
    """A unit's report: values by field name, in the form's order."""

    values: dict[str, str]
    aggregated: tuple[str, ...] = ()  # fields filled from the forwarded notice's reports
    forwarded_reported: int = 0
    forwarded_total: int = 0


@dataclass
class Notice:
    tenant: str
    id: str
    sender_unit_id: str | None  # None: the county (县委组织部)
    sender_display_name: str
    title: str
    body: str
    selectors: tuple[RecipientSelector, ...]
    requires_ack: bool
    requires_report: bool
    report_form: tuple[ReportField, ...]
    due_at: dt.datetime | None
    created_by: str
    created_at: dt.datetime
    recipient_count: int = 0
    parent_notice_id: str | None = None
    parent_unit_id: str | None = None
    note: str = ""
    version: int = 1

    def forwarded(self, notice_id: str, forwarder: Recipient, selectors: tuple[RecipientSelector, ...], note: str,
                  due_at: dt.datetime | None, created_by: str, now: dt.datetime) -> Notice:
        """The child notice a recipient passes on to units below it: same title, body and form."""
        return replace(self, id=notice_id, sender_unit_id=forwarder.unit_id,
                       sender_display_name=forwarder.unit_display_name, selectors=selectors,
                       due_at=due_at or self.due_at, created_by=created_by, created_at=now, recipient_count=0,
                       parent_notice_id=self.id, parent_unit_id=forwarder.unit_id, note=note, version=1)


@dataclass
class Recipient:
    """One addressed unit's copy of a notice, with its name, type and parent as they were at send time."""

    tenant: str
    notice_id: str
    unit_id: str
    unit_display_name: str
    unit_type: str
    parent_unit_id: str | None
    parent_display_name: str
    addressees: tuple[Addressee, ...]
    sent_at: dt.datetime
    read_at: dt.datetime | None = None
    read_by: str = ""
    acknowledged_at: dt.datetime | None = None
    acknowledged_by: str = ""
    report: Report | None = None
    reported_at: dt.datetime | None = None
    reported_by: str = ""
    forwarded_notice_id: str | None = None
    version: int = 1

    @property
    def state(self) -> RecipientState:
        if self.reported_at is not None:
            return RecipientState.REPORTED
        if self.acknowledged_at is not None:
            return RecipientState.ACKNOWLEDGED
        return RecipientState.READ if self.read_at is not None else RecipientState.UNREAD

    def overdue(self, notice: Notice, now: dt.datetime) -> bool:
        """Past the deadline without what the notice asks for (签收, the report)."""
        if notice.due_at is None or now <= notice.due_at:
            return False
        return (notice.requires_report and self.reported_at is None) or (
            notice.requires_ack and self.acknowledged_at is None and self.reported_at is None)

    def mark_read(self, who: str, now: dt.datetime) -> bool:
        """Opened in the inbox; True when this changed the copy (a second read changes nothing)."""
        if self.read_at is not None:
            return False
        self.read_at, self.read_by = now, who
        self.version += 1
        return True

    def acknowledge(self, who: str, now: dt.datetime) -> bool:
        """签收, which also reads it; True when this changed the copy (the first receipt stands)."""
        if self.acknowledged_at is not None:
            return False
        self.mark_read(who, now)
        self.acknowledged_at, self.acknowledged_by = now, who
        self.version += 1
        return True

    def submit(self, report: Report, who: str, now: dt.datetime) -> bool:
        """The unit's report (replacing an earlier one); reporting is receipt too: True when this
        acknowledged it."""
        acknowledged = self.acknowledge(who, now)
        self.report, self.reported_at, self.reported_by = report, now, who
        self.version += 1
        return acknowledged

    def forward_as(self, notice_id: str, who: str, now: dt.datetime) -> bool:
        """Passing the notice on is receipt too; True when this acknowledged it."""
        acknowledged = self.acknowledge(who, now)
        self.forwarded_notice_id = notice_id
        self.version += 1
        return acknowledged
