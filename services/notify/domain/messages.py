"""Messages (消息): what the platform tells one recipient on one channel, and how far it got.

A message is made from a source — an event another service published, a reminder of a notice,
an escalation, a calendar date — rendered through a template, and stored before it is
delivered. Its dedupe key (source key, channel, recipient) makes each source give at most one
message per recipient and channel however often it is replayed. Plain Python, no I/O.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, replace


class Channel(enum.StrEnum):
    """Where a message goes; the values are the proto's enum value names."""

    INBOX = "INBOX"  # the in-app inbox of a unit (its clerks) or of a member
    SMS = "SMS"  # a text message to a member's phone, through the tenant's gateway
    WEBHOOK = "WEBHOOK"  # a POST to another government system's endpoint


class RecipientKind(enum.StrEnum):
    UNIT = "UNIT"  # a unit: its clerks read it
    MEMBER = "MEMBER"  # one member: only they read it
    ENDPOINT = "ENDPOINT"  # a webhook endpoint of the tenant


class SourceKind(enum.StrEnum):
    EVENT = "EVENT"  # an event of another service (points, assessment, organization)
    REMINDER = "REMINDER"  # a reminder of a notice before or after its due time
    ESCALATION = "ESCALATION"  # an overdue notice told to the next level up
    CALENDAR = "CALENDAR"  # a date of the tenant's calendar (主题党日, 组织生活会, 民主评议)


class Status(enum.StrEnum):
    """Delivery status, in order; FAILED and CANCELLED are final, as is DELIVERED."""

    QUEUED = "QUEUED"  # stored, waiting for its channel (quiet hours, rate limit, retry)
    SENT = "SENT"  # handed to the channel (the gateway accepted it)
    DELIVERED = "DELIVERED"  # the channel confirmed it (an inbox message is delivered when stored)
    FAILED = "FAILED"  # given up, with a reason
    CANCELLED = "CANCELLED"  # no longer needed (the recipient acted before the reminder went)


FINAL = frozenset({Status.DELIVERED, Status.FAILED, Status.CANCELLED})


@dataclass(frozen=True)
class Recipient:
    """Who a message is for: a unit, a member (with the phone an SMS goes to) or an endpoint."""

    kind: RecipientKind
    id: str
    display_name: str = ""
    address: str = ""  # a phone number for SMS, the endpoint's URL for a webhook; empty for the inbox


@dataclass(frozen=True)
class Message:
    tenant: str
    id: str
    channel: Channel
    recipient: Recipient
    source_kind: SourceKind
    # What made it: an event id, or "{notice id}/{unit id}/{step}" for a reminder; with the
    # channel and the recipient, at most one message per source.
    source_key: str
    # The event type (points.threshold_crossed) or the reminder's kind (notify.reminder_due):
    # which template rendered it.
    source_type: str
    subject: str
    body: str
    # JSON text: the data the template saw (a webhook POSTs it).
    payload: str
    urgent: bool
    status: Status
    status_reason: str
    attempts: int
    created_at: dt.datetime
    # When the channel may next try it (quiet hours end, a retry's backoff); None: now.
    next_attempt_at: dt.datetime | None = None
    sent_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    read_at: dt.datetime | None = None
    # The notice and addressed unit a reminder or escalation is about: acting on that copy
    # cancels the messages still queued for it.
    notice_id: str | None = None
    unit_id: str | None = None
    version: int = 1

    @property
    def final(self) -> bool:
        return self.status in FINAL

    def with_status(self, status: Status, at: dt.datetime, reason: str = "") -> Message:
        """The message moved to `status` at `at` (its attempt counted when it was sent or failed)."""
        changes: dict = {"status": status, "status_reason": reason, "version": self.version + 1}
        if status in (Status.SENT, Status.FAILED):
            changes["attempts"] = self.attempts + 1
        if status is Status.SENT:
            changes["sent_at"] = at
        if status is Status.DELIVERED:
            changes["delivered_at"] = at
            changes["sent_at"] = self.sent_at or at
        return replace(self, **changes)

    def read(self, at: dt.datetime) -> Message:
        return self if self.read_at else replace(self, read_at=at, version=self.version + 1)


def dedupe_key(source_key: str, channel: Channel, recipient: Recipient) -> tuple[str, str, str, str]:
    return (source_key, channel.value, recipient.kind.value, recipient.id)
