"""Commands of the ledger's RPCs, reads included; a listing's filter fields key its page tokens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class RecordEntry:
    tenant: str
    member_tenant: str
    member_id: str
    rule_code: str
    quantity: int
    occurred_at: dt.datetime | None
    note: str = ""
    evidence_ref: str = ""
    request_id: str = ""
    fingerprint: str = ""


@dataclass(frozen=True)
class BatchItem:
    member_tenant: str
    member_id: str
    quantity: int


@dataclass
class BatchRecordEntries:
    tenant: str
    rule_code: str
    occurred_at: dt.datetime | None
    items: list[BatchItem] = field(default_factory=list)
    note: str = ""
    evidence_ref: str = ""
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class DecideEntry:
    """ApproveEntry (approve=True) or RejectEntry."""

    tenant: str
    entry_id: str
    approve: bool
    reason: str = ""
    etag: str = ""


@dataclass
class ReverseEntry:
    tenant: str
    entry_id: str
    reason: str
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class GetBalance:
    tenant: str
    member_id: str
    year: int = 0


@dataclass
class ListEntries:
    tenant: str
    member_id: str = ""
    unit_id: str = ""
    year: int = 0
    rule_code: str = ""
    status: str = ""
    member_tenant: str = ""
    page_size: int = 0
    page_token: str = ""


@dataclass
class GetStandings:
    tenant: str
    unit_id: str = ""
    year: int = 0
    top_n: int = 0
    bottom_n: int = 0


@dataclass
class GetUnitSummary:
    tenant: str
    unit_id: str = ""
    year: int = 0


@dataclass
class VerifyLedger:
    tenant: str
