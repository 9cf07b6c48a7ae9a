"""Tamper evidence: each county's ledger is one hash chain (防篡改).

Every fact that changes what a ledger counts is a link, numbered 1, 2, 3... per tenant: an
entry recorded (reversals included) and a decision on a pending entry (approved, rejected).
A link's hash is sha256(previous hash || canonical encoding of its immutable fields), so
altering a stored field, deleting a link or re-ordering links breaks the chain at that link.
An entry's status is not hashed (it changes); it is checked against the links instead: an
entry is PENDING, REJECTED, COUNTED or REVERSED exactly as its decision and reversal say.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from services.common.clock import as_utc
from services.points.domain.ledger import Entry, EntryStatus

GENESIS = "0" * 64  # the previous hash of a tenant's first link
ENCODING_VERSION = 1


class Decision:
    APPROVE = "APPROVE"
    REJECT = "REJECT"


@dataclass(frozen=True)
class EntryDecision:
    """An approval or rejection of a pending entry: a chain link of its own."""

    tenant: str
    entry_id: str
    decision: str  # Decision.APPROVE | Decision.REJECT
    decided_by: str
    reason: str
    decided_at: dt.datetime
    seq: int = 0
    prev_hash: str = ""
    hash: str = ""


def _micros(value: dt.datetime) -> int:
    """A timestamp as UTC microseconds: the same on SQLite (naive) and PostgreSQL (aware)."""
    delta = as_utc(value) - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def canonical(fields: Mapping[str, Any]) -> bytes:
    """One spelling of a link's fields: sorted keys, no spaces, UTF-8."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def link_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(fields)).hexdigest()


def entry_fields(entry: Entry) -> dict[str, Any]:
    """The immutable fields of an entry, as its link hashes them."""
    return {
        "v": ENCODING_VERSION, "link": "entry", "tenant": entry.tenant, "seq": entry.seq,
        "id": entry.id, "member_id": entry.member_id, "unit_id": entry.unit_id,
        "rule_set_id": entry.rule_set_id, "revision": entry.revision, "rule_code": entry.rule_code,
        "kind": entry.kind, "quantity": entry.quantity, "requested_points": entry.requested_points,
        "points": entry.points, "exchange_points": entry.exchange_points, "capped": entry.capped,
        "cap_reason_zh": entry.cap_reason_zh, "cap_reason_en": entry.cap_reason_en,
        "occurred_at": _micros(entry.occurred_at), "year": entry.year,
        "approval_required": entry.approval_required, "reverses": entry.reverses,
        "note": entry.note, "evidence_ref": entry.evidence_ref, "recorded_by": entry.recorded_by,
        "created_at": _micros(entry.created_at),
    }


def decision_fields(decision: EntryDecision) -> dict[str, Any]:
    return {
        "v": ENCODING_VERSION, "link": "decision", "tenant": decision.tenant, "seq": decision.seq,
        "entry_id": decision.entry_id, "decision": decision.decision,
        "decided_by": decision.decided_by, "reason": decision.reason,
        "decided_at": _micros(decision.decided_at),
    }


Linked = TypeVar("Linked", Entry, EntryDecision)


def fields_of(link: Entry | EntryDecision) -> dict[str, Any]:
    return entry_fields(link) if isinstance(link, Entry) else decision_fields(link)


def seal(link: Linked, seq: int, prev_hash: str) -> Linked:
    """The link placed at `seq` after `prev_hash`, with its hash."""
    placed = replace(link, seq=seq, prev_hash=prev_hash, hash="")
    return replace(placed, hash=link_hash(prev_hash, fields_of(placed)))


@dataclass(frozen=True)
class Broken:
    """The first link that does not verify: the entry it is about, and why (zh / en)."""

    entry_id: str
    seq: int
    zh: str
    en: str


class ChainVerifier:
    """Walks a tenant's links in seq order (fed one at a time, so a long chain streams)."""

    def __init__(self) -> None:
        self.checked = 0
        self._prev = GENESIS
        self._decisions: dict[str, str] = {}
        self._reversed: set[str] = set()
        # What the status check needs of each entry, small enough for a county's whole chain.
        self._entries: dict[str, tuple[int, EntryStatus, bool]] = {}

    def feed(self, link: Entry | EntryDecision) -> Broken | None:
        """The link's problem, or None; the walk stops at the first problem."""
        self.checked += 1
        subject = link.id if isinstance(link, Entry) else link.entry_id
        kind = "条目" if isinstance(link, Entry) else "审核记录"
        if link.seq != self.checked:
            return Broken(subject, link.seq, f"链序号应为 {self.checked}，实为 {link.seq}（有链节缺失或被插入）",
                          f"chain position {link.seq} where {self.checked} was expected (a link is missing or inserted)")
        if link.prev_hash != self._prev:
            return Broken(subject, link.seq, f"{kind}的前一哈希与上一链节不符",
                          "its previous hash does not match the link before it")
        if link.hash != link_hash(self._prev, fields_of(link)):
            return Broken(subject, link.seq, f"{kind}内容与其哈希不符（记录被改动）",
                          "its stored fields do not match its hash (the row was altered)")
        self._prev = link.hash
        if isinstance(link, EntryDecision):
            self._decisions[link.entry_id] = link.decision
        else:
            self._entries[link.id] = (link.seq, link.status, link.approval_required)
            if link.reverses:
                self._reversed.add(link.reverses)
        return None

    @property
    def entries_checked(self) -> int:
        return len(self._entries)

    def status_problem(self) -> Broken | None:
        """Once the walk is done: the first entry whose stored status is not what the links say."""
        for entry_id, (seq, status, approval_required) in self._entries.items():
            expected = expected_status(approval_required, self._decisions.get(entry_id), entry_id in self._reversed)
            if status != expected:
                return Broken(entry_id, seq, f"状态为 {status.value}，链上记录表明应为 {expected.value}",
                              f"its status is {status.value} but the chain says {expected.value}")
        return None


def expected_status(approval_required: bool, decision: str | None, reversed_: bool) -> EntryStatus:
    """An entry's status as its decision and reversal make it."""
    if decision == Decision.REJECT:
        return EntryStatus.REJECTED
    if approval_required and decision != Decision.APPROVE:
        return EntryStatus.PENDING
    return EntryStatus.REVERSED if reversed_ else EntryStatus.COUNTED
