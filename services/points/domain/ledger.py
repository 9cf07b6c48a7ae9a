"""The member points ledger (党员积分台账): entries, how an entry moves a balance, and status.

Pure rules over a rule-set revision (`domain/rule_sets.py`: mode, base, floor, thresholds,
rules). A balance is never edited: it is the year's starting value plus the points of the
entries that counted. An entry's effective points are fixed when it is recorded, so its hash
(`domain/chain.py`) covers them; a PENDING entry reserves its points, and the limits a new
entry meets (the yearly cap, the floor, the base) count the reservations, so that whichever
pending entries are later approved or rejected, no limit is ever overrun.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from services.common.errors import FailedPrecondition, PermissionDenied
from services.points.domain.rule_sets import Kind, Mode, Rule, RuleSetContent, Threshold

NEAR_CAP_SHARE = 0.8  # a rule is "near its cap" once this share of the yearly cap is used


class EntryStatus(enum.StrEnum):
    PENDING = "PENDING"  # 待审核: waits for ApproveEntry / RejectEntry
    COUNTED = "COUNTED"  # 已计分
    REJECTED = "REJECTED"  # 已驳回: never counted
    REVERSED = "REVERSED"  # 已撤销: counted, then cancelled by a reversal entry


# Entries whose points are in the balance: a REVERSED entry stays counted and its reversal
# carries the negative, so the sum over the ledger is the balance (the original stays).
COUNTING = (EntryStatus.COUNTED, EntryStatus.REVERSED)


@dataclass
class Entry:
    """One line of a member's ledger; everything from `status` to `version` below the hashed
    fields may change (a decision, a reversal), the rest never does."""

    id: str
    tenant: str
    member_id: str
    unit_id: str  # the member's unit when recorded
    rule_set_id: str
    revision: int
    rule_code: str
    kind: str  # AWARD | DEDUCT | DEDUCT_ALL
    quantity: int
    requested_points: int  # signed, before the cap, the floor and the base
    points: int  # signed effective points
    exchange_points: int  # signed, spendable in the exchange wallet (爱心超市)
    occurred_at: dt.datetime
    year: int
    status: EntryStatus
    approval_required: bool
    recorded_by: str
    created_at: dt.datetime
    capped: bool = False
    cap_reason_zh: str = ""
    cap_reason_en: str = ""
    reverses: str = ""  # the entry this one cancels
    note: str = ""
    evidence_ref: str = ""
    decided_by: str = ""  # who approved or rejected it
    decision_reason: str = ""
    decided_at: dt.datetime | None = None
    reversed_by: str = ""  # the reversal that cancelled it
    version: int = 1
    seq: int = 0  # position in the tenant's chain
    prev_hash: str = ""
    hash: str = ""

    @property
    def counts(self) -> bool:
        return self.status in COUNTING


@dataclass(frozen=True)
class MemberYear:
    """What limits a new entry of one member and year: counted balance and reservations."""

    base: int  # the year's starting balance (the revision's base; 0 for 积分制)
    balance: int  # base + counted points
    pending_up: int = 0  # sum of positive points waiting for approval
    pending_down: int = 0  # sum of negative points waiting for approval (<= 0)
    pending_count: int = 0

    @classmethod
    def fresh(cls, base: int) -> MemberYear:
        """A year with no entries starts at the base, with no job to open it."""
        return cls(base=base, balance=base)

    def after(self, points: int, *, pending: bool) -> MemberYear:
        """The state once an entry of `points` is recorded (reserved when pending)."""
        if not pending:
            return replace(self, balance=self.balance + points)
        return replace(
            self,
            pending_up=self.pending_up + max(points, 0),
            pending_down=self.pending_down + min(points, 0),
            pending_count=self.pending_count + 1,
        )

    def decided(self, points: int, *, approved: bool) -> MemberYear:
        """The state once a pending entry of `points` is approved (counted) or rejected."""
        released = replace(
            self,
            pending_up=self.pending_up - max(points, 0),
            pending_down=self.pending_down - min(points, 0),
            pending_count=self.pending_count - 1,
        )
        return released.after(points, pending=False) if approved else released


@dataclass(frozen=True)
class PlannedPoints:
    """An entry's points as the rules allow them, with why they were reduced."""

    requested: int
    points: int
    exchange_points: int
    reasons_zh: tuple[str, ...] = ()
    reasons_en: tuple[str, ...] = ()

    @property
    def capped(self) -> bool:
        return bool(self.reasons_en)

    @property
    def cap_reason_zh(self) -> str:
        return "；".join(self.reasons_zh)

    @property
    def cap_reason_en(self) -> str:
        return "; ".join(self.reasons_en)


def plan_points(content: RuleSetContent, rule: Rule, quantity: int, state: MemberYear, cap_used: int) -> PlannedPoints:
    """The effective points of a new entry: yearly cap first, then the floor and the base.

    `cap_used` is the magnitude of this rule's points already counted or reserved for the
    member this year. DEDUCT_ALL takes the balance to the floor (reservations included);
    in 十二分制 an AWARD never lifts the balance above the base unless the rule says so. An
    entry over a limit is recorded with fewer points and the reason, never dropped.
    """
    kind = rule.kind
    floor = content.floor
    lowest = state.balance + state.pending_down
    magnitude = max(lowest - floor, 0) if kind is Kind.DEDUCT_ALL else rule.points * quantity
    sign = 1 if kind is Kind.AWARD else -1
    requested = sign * magnitude
    zh: list[str] = []
    en: list[str] = []
    allowed = magnitude
    cap = rule.yearly_cap
    if cap and allowed > cap - cap_used:
        allowed = max(cap - cap_used, 0)
        zh.append(f"超出年度上限：规则 {rule.code} 每名党员每年最多 {cap} 分，本年已计 {cap_used} 分，本条按 {allowed} 分计")
        en.append(f"over the yearly cap: rule {rule.code} allows {cap} points per member a year, "
                  f"{cap_used} already recorded this year; counted as {allowed}")
    exchange = rule.exchange_points * quantity
    if magnitude and allowed < magnitude:
        exchange = exchange * allowed // magnitude  # the wallet follows what the cap let count
    if sign < 0 and kind is not Kind.DEDUCT_ALL and allowed > lowest - floor:
        allowed = max(lowest - floor, 0)
        zh.append(f"积分不低于下限 {floor}（含待审核条目），本条按 {allowed} 分计")
        en.append(f"the balance does not go below the floor {floor} (pending entries included); counted as {allowed}")
    if sign > 0 and content.mode is Mode.DEDUCT_FROM_BASE and not rule.lift_above_base:
        highest = state.balance + state.pending_up
        base = state.base
        if allowed > base - highest:
            allowed = max(base - highest, 0)
            zh.append(f"加分不使积分超过基础分 {base}（含待审核条目），本条按 {allowed} 分计")
            en.append(f"an award does not lift the balance above the base {base} (pending entries included); "
                      f"counted as {allowed}")
    return PlannedPoints(requested, sign * allowed, exchange, tuple(zh), tuple(en))


# -- status and thresholds ------------------------------------------------------------------


@dataclass(frozen=True)
class Crossings:
    """Thresholds a balance change made met (crossed) and no longer met (cleared)."""

    crossed: tuple[Threshold, ...] = ()
    cleared: tuple[Threshold, ...] = ()


def crossings(thresholds: Sequence[Threshold], old: int, new: int) -> Crossings:
    """Which thresholds became met, and which stopped being met, from `old` to `new`."""
    crossed = tuple(t for t in thresholds if t.met_by(new) and not t.met_by(old))
    cleared = tuple(t for t in thresholds if t.met_by(old) and not t.met_by(new))
    return Crossings(crossed, cleared)


@dataclass(frozen=True)
class RuleUse:
    """One rule's share of a member's year, for GetBalance's breakdown."""

    rule_code: str
    points: int
    quantity: int
    yearly_cap: int = 0
    pending: int = 0  # points of PENDING entries, reserved, not counted

    @property
    def near_cap(self) -> bool:
        return bool(self.yearly_cap) and abs(self.points) >= NEAR_CAP_SHARE * self.yearly_cap


# -- decisions and reversals ----------------------------------------------------------------


def check_decision(entry: Entry, subject: str, entry_name: str) -> None:
    """Only a PENDING entry is approved or rejected, and never by the one who recorded it."""
    if entry.recorded_by == subject:
        raise PermissionDenied(
            "SELF_APPROVAL",
            f"不能审核自己录入的积分条目：{entry_name}",
            f"you recorded {entry_name}: another person approves or rejects it",
            {"resource": entry_name},
        )
    if entry.status != EntryStatus.PENDING:
        raise FailedPrecondition(
            "ENTRY_NOT_PENDING",
            f"积分条目 {entry_name} 状态为 {entry.status.value}，只有待审核条目可以审核",
            f"{entry_name} is {entry.status.value}: only a PENDING entry can be approved or rejected",
            {"resource": entry_name, "status": entry.status.value},
        )


def check_reversible(entry: Entry, entry_name: str) -> None:
    """A reversal cancels a counted entry once; pending entries are rejected instead."""
    refusals = {
        EntryStatus.PENDING: ("ENTRY_PENDING", "待审核条目不能撤销，请驳回", "a PENDING entry is not reversed: reject it"),
        EntryStatus.REJECTED: ("ENTRY_REJECTED", "已驳回条目未计分，无需撤销", "a REJECTED entry never counted"),
        EntryStatus.REVERSED: ("ALREADY_REVERSED", "该条目已撤销", "the entry is already reversed"),
    }
    if entry.reverses:
        refusal = ("REVERSAL_NOT_REVERSIBLE", "撤销条目不能再撤销，请重新录入",
                   "a reversal cannot be reversed: record the entry again")
    else:
        refusal = refusals.get(entry.status)
    if refusal:
        reason, zh, en = refusal
        raise FailedPrecondition(reason, f"{zh}：{entry_name}", f"{en}: {entry_name}",
                                 {"resource": entry_name, "status": entry.status.value})


def reversal_of(original: Entry, *, entry_id: str, recorded_by: str, reason: str, created_at: dt.datetime) -> Entry:
    """The entry cancelling `original`: the negative of its effective and exchange points.

    A reversal is exact, never limited by the floor or the base: the original plus its
    reversal sum to nothing, whatever the balance is now.
    """
    return Entry(
        id=entry_id, tenant=original.tenant, member_id=original.member_id, unit_id=original.unit_id,
        rule_set_id=original.rule_set_id, revision=original.revision, rule_code=original.rule_code,
        kind=original.kind, quantity=original.quantity, requested_points=-original.points,
        points=-original.points, exchange_points=-original.exchange_points,
        occurred_at=original.occurred_at, year=original.year, status=EntryStatus.COUNTED,
        approval_required=False, recorded_by=recorded_by, created_at=created_at,
        reverses=original.id, note=reason,
    )


@dataclass(frozen=True)
class Standing:
    member_id: str
    balance: int
    rank: int


def rank(balances: Iterable[tuple[str, int]]) -> list[Standing]:
    """Standings, highest first; ties share a rank and the next rank skips (1, 1, 3)."""
    ordered = sorted(balances, key=lambda item: (-item[1], item[0]))
    standings: list[Standing] = []
    for position, (member_id, balance) in enumerate(ordered, start=1):
        shared = standings and standings[-1].balance == balance
        standings.append(Standing(member_id, balance, standings[-1].rank if shared else position))
    return standings


@dataclass
class StatusCounts:
    """GetUnitSummary's line for one unit: members per status and the average balance."""

    unit_id: str
    members: int = 0
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    def add(self, balance: int, status: str) -> None:
        self.members += 1
        self.total += balance
        self.by_status[status] = self.by_status.get(status, 0) + 1

    @property
    def average(self) -> float:
        return self.total / self.members if self.members else 0.0
