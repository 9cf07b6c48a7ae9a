"""Commands: what a caller asks the notify service to do, reads included, free of transport.

A listing's filter fields (all but `tenant`, `page_size` and `page_token`) are the key its page
tokens are bound to (pagination.Page).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.notify.domain.notices import RecipientSelector, ReportField


@dataclass
class ResyncDirectory:
    tenant: str


@dataclass
class SendNotice:
    tenant: str
    sender_unit_id: str | None  # None: the county itself
    title: str
    body: str
    selectors: list[RecipientSelector]
    requires_ack: bool
    requires_report: bool
    report_form: list[ReportField]
    due_at: dt.datetime | None
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class ForwardNotice:
    tenant: str
    notice_id: str
    unit_id: str  # the forwarding recipient
    selectors: list[RecipientSelector]
    note: str
    due_at: dt.datetime | None
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class RecipientAction:
    """AcknowledgeNotice, MarkRead: one addressed unit's copy."""

    tenant: str
    notice_id: str
    unit_id: str


@dataclass
class SubmitReport:
    tenant: str
    notice_id: str
    unit_id: str
    values: list[tuple[str, str]] = field(default_factory=list)  # (field, value) as given
    include_forwarded: bool = False
    etag: str = ""


@dataclass
class GetNoticeStatus:
    tenant: str
    notice_id: str
    page_size: int = 0  # the notice's own recipients per page
    page_token: str = ""


@dataclass
class ListNotices:
    tenant: str
    sent_by: str | None = None  # a unit id; "-" for the county itself
    addressed_to: str | None = None
    page_size: int = 0
    page_token: str = ""


@dataclass
class ListInbox:
    tenant: str
    unit_id: str
    unread_only: bool = False
    page_size: int = 0
    page_token: str = ""
