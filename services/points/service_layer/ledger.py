"""The ledger's writes: RecordEntry, BatchRecordEntries, ApproveEntry / RejectEntry, ReverseEntry.

Each one transaction: authorize, validate, take the county's chain head (ledger_posting), append,
update the projections, emit the crossings, commit. Nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from services.common import identifiers, text
from services.common.auth import Principal
from services.common.clock import utcnow
from services.common.errors import Validator
from services.common.ids import new_id
from services.common.tenancy import check_etag
from services.points.domain import ledger as rules
from services.points.domain.chain import Decision, EntryDecision
from services.points.domain.ledger import Entry, EntryStatus
from services.points.domain.names import entry_name, member_name
from services.points.domain.rule_sets import Rule, RuleSetRevision
from services.points.service_layer import ledger_access as access
from services.points.service_layer import ledger_commands as c
from services.points.service_layer.ledger_posting import (
    Posting,
    entry_revision,
    member_year,
    post_decision,
    post_new,
)
from services.points.service_layer.loaders import rules_in_force
from services.points.service_layer.unit_of_work import PointsUnitOfWork, PointsUnitOfWorkFactory

CLOCK_SKEW = dt.timedelta(minutes=10)  # a recorder's clock may run this far ahead
NOTE_MAX = 500
EVIDENCE_MAX = 200
BATCH_MAX = 1000


@dataclass(frozen=True)
class Recording:
    """What every entry of one request shares: the rules, the time, the words."""

    revision: RuleSetRevision
    rule: Rule
    occurred_at: dt.datetime
    year: int
    note: str
    evidence_ref: str


def _check_recording(uow: PointsUnitOfWork, v: Validator, rule_code: str, occurred_at: dt.datetime | None,
                     note: str, evidence_ref: str, quantities: list[tuple[str, int]]) -> Recording:
    note = v.text(note, "note", max_len=NOTE_MAX, required=False, multi_line=True)
    evidence_ref = v.text(evidence_ref, "evidence_ref", max_len=EVIDENCE_MAX, required=False)
    before = len(v.violations)
    code = identifiers.check(v, rule_code, "rule_code")
    if len(v.violations) > before:  # a control character: said once, never echoed as an unknown code
        code = ""
    else:
        v.require(bool(code), "rule_code", "必须填写积分规则代码", "is required")
    revision = rule = None
    if occurred_at is None:
        v.add("occurred_time", "必须填写发生时间", "is required")
    elif occurred_at > utcnow() + CLOCK_SKEW:
        v.add("occurred_time", "发生时间不能晚于当前时间", "must not be in the future")
    else:
        day = access.local_date(uow, occurred_at)
        revision = rules_in_force(uow, uow.tenant, day)
        if revision is None:
            v.add("occurred_time", f"{day} 本县尚无生效的积分规则（早于规则生效日期）",
                  f"no points rules of the county are in force on {day} (before their effective date)")
        elif code:
            rule = revision.rule(code)
            v.require(rule is not None, "rule_code", f"{day} 生效的积分规则中没有规则 {code}",
                      f"no rule {code} in the points rules in force on {day}")
    max_quantity = revision.content.max_quantity if revision is not None else None
    for field_path, quantity in quantities:
        if quantity <= 0:
            v.add(field_path, "数量必须大于0", "must be greater than 0")
        elif max_quantity and quantity > max_quantity:
            v.add(field_path, f"数量不能超过 {max_quantity}", f"must be at most {max_quantity}")
    v.raise_if_any()
    year = access.local_date(uow, occurred_at).year
    return Recording(revision, rule, occurred_at, year, note, evidence_ref)


def _new_entry(uow: PointsUnitOfWork, who: Principal, r: Recording, entry_id: str, member, quantity: int, state,
               used: int) -> Entry:
    plan = rules.plan_points(r.revision.content, r.rule, quantity, state, used)
    now = utcnow()
    pending = bool(r.rule.needs_approval)
    return Entry(
        id=entry_id, tenant=uow.tenant, member_id=member.id, unit_id=member.unit_id,
        rule_set_id=r.revision.rule_set_id, revision=r.revision.revision, rule_code=r.rule.code,
        kind=str(r.rule.kind), quantity=quantity, requested_points=plan.requested, points=plan.points,
        exchange_points=plan.exchange_points, occurred_at=r.occurred_at, year=r.year,
        status=EntryStatus.PENDING if pending else EntryStatus.COUNTED, approval_required=pending,
        recorded_by=who.subject, created_at=now, capped=plan.capped, cap_reason_zh=plan.cap_reason_zh,
        cap_reason_en=plan.cap_reason_en, note=r.note, evidence_ref=r.evidence_ref,
    )


def _append(uow: PointsUnitOfWork, who: Principal, r: Recording, members_quantities: list, entry_ids: list[str],
            batch_id: str = "") -> list[Entry]:
    """Append one entry per (member, quantity), in order, to the county's chain, with these ids."""
    ids = [member.id for member, _ in members_quantities]
    with Posting(uow) as post:
        states = uow.ledger.member_years(ids, r.year)
        used = uow.ledger.rule_used(ids, r.year, r.rule.code)
        entries = []
        for entry_id, (member, quantity) in zip(entry_ids, members_quantities, strict=True):
            state = states.get(member.id) or rules.MemberYear.fresh(r.revision.content.base)
            entry = post.link(_new_entry(uow, who, r, entry_id, member, quantity, state, used.get(member.id, 0)))
            entries.append(entry)
        uow.ledger.add_entries(entries, batch_id or "")
        for entry in entries:
            post_new(uow, entry, r.revision, states.get(entry.member_id)
                     or rules.MemberYear.fresh(r.revision.content.base))
    return entries


def _check_member(uow: PointsUnitOfWork, who: Principal, member_id: str, field_path: str):
    member = access.referenced_member(uow, member_id, field_path)
    access.check_member_within(uow, who, member)
    return member


def _replayed(uow: PointsUnitOfWork, who: Principal, entry_id: str) -> Entry:
    """The first answer to a retried request_id, for a caller who may see its member: the key
    is the county's, not the caller's, so a clerk of another subtree is refused as on a first try."""
    entry = access.load_entry(uow, entry_id)
    access.check_member_within(uow, who, access.load_member(uow, entry.member_id))
    return entry


def record_entry(cmd: c.RecordEntry, uows: PointsUnitOfWorkFactory, who: Principal) -> Entry:
    with uows(cmd.tenant) as uow:
        access.check_member_tenant(uow, who, cmd.member_tenant, "member")
        claim = uow.idempotency.claim("RecordEntry", cmd)
        if claim.done:
            return _replayed(uow, who, claim.done)
        member = _check_member(uow, who, identifiers.require(cmd.member_id, "member"), "member")
        recording = _check_recording(uow, Validator(), cmd.rule_code, cmd.occurred_at, cmd.note, cmd.evidence_ref,
                                     [("quantity", cmd.quantity)])
        access.check_recorder(who, recording.rule)
        access.check_recordable(uow, member)
        # The answer is remembered before the chain head is taken: one statement less under its lock.
        entry_id = new_id("e")
        claim.remember(entry_name(uow.tenant, entry_id))
        (entry,) = _append(uow, who, recording, [(member, cmd.quantity)], [entry_id])
        uow.commit()
        return entry


def batch_record_entries(cmd: c.BatchRecordEntries, uows: PointsUnitOfWorkFactory, who: Principal) -> list[Entry]:
    """One meeting's attendance: every member's entry, or none."""
    with uows(cmd.tenant) as uow:
        for index, item in enumerate(cmd.items):
            access.check_member_tenant(uow, who, item.member_tenant, f"items[{index}].member")
        claim = uow.idempotency.claim("BatchRecordEntries", cmd)
        if claim.done:
            entries = uow.ledger.batch_of(claim.done)
            for entry in entries:
                access.check_member_within(uow, who, access.load_member(uow, entry.member_id))
            return entries
        v = Validator()
        if not cmd.items:
            v.add("items", "至少需要一名党员", "must name at least one member")
        elif len(cmd.items) > BATCH_MAX:
            v.add("items", f"一次最多 {BATCH_MAX} 名党员", f"must hold at most {BATCH_MAX} members")
        seen: dict[str, int] = {}
        members = []
        member_ids = [identifiers.check(v, item.member_id, f"items[{index}].member")
                      for index, item in enumerate(cmd.items)]
        # One read for the batch's members; only those the directory lacks are asked one by one
        # (the read-through to the organization).
        known = uow.ledger_queries.members([m for m in member_ids if m])
        for index, (item, member_id) in enumerate(zip(cmd.items, member_ids, strict=True)):
            field_path = f"items[{index}].member"
            if member_id in seen:
                v.add(field_path, f"与 items[{seen[member_id]}] 是同一名党员", f"repeats items[{seen[member_id]}]")
                continue
            seen[member_id] = index
            member = known.get(member_id) or uow.directory.member(member_id)
            if member is None:
                name = member_name(uow.tenant, member_id)
                v.add(field_path, f"党员不存在：{name}", f"no such member: {name}")
                continue
            access.check_member_within(uow, who, member)
            members.append((member, item.quantity))
        recording = _check_recording(uow, v, cmd.rule_code, cmd.occurred_at, cmd.note, cmd.evidence_ref,
                                     [(f"items[{i}].quantity", item.quantity) for i, item in enumerate(cmd.items)])
        access.check_recorder(who, recording.rule)
        for member, _ in members:
            access.check_recordable(uow, member)
        batch_id, entry_ids = new_id("b"), [new_id("e") for _ in members]
        claim.remember(entry_name(uow.tenant, entry_ids[0]))
        entries = _append(uow, who, recording, members, entry_ids, batch_id)
        uow.commit()
        return entries


def _decide(cmd: c.DecideEntry, uows: PointsUnitOfWorkFactory, who: Principal) -> Entry:
    v = Validator()
    reason = v.text(cmd.reason, "reason", max_len=text.REASON_MAX, required=False, multi_line=True)
    v.raise_if_any()
    with uows(cmd.tenant) as uow:
        with Posting(uow) as post:
            entry = access.load_entry(uow, cmd.entry_id)
            name = entry_name(uow.tenant, entry.id)
            member = access.load_member(uow, entry.member_id)
            access.check_member_within(uow, who, member)
            access.check_recordable(uow, member)
            rules.check_decision(entry, who.subject, name)
            check_etag(cmd.etag, entry.version, name)
            now = utcnow()
            decision = post.link(EntryDecision(uow.tenant, entry.id, Decision.APPROVE if cmd.approve else Decision.REJECT,
                                               who.subject, reason, now))
            uow.ledger.add_decision(decision)
            status = EntryStatus.COUNTED if cmd.approve else EntryStatus.REJECTED
            uow.ledger.decide(entry, status, who.subject, reason, now)
            post_decision(uow, entry, decision)
        uow.commit()
        return replace(entry, status=status, decided_by=who.subject, decision_reason=reason, decided_at=now,
                       version=entry.version + 1)


def approve_entry(cmd: c.DecideEntry, uows: PointsUnitOfWorkFactory, who: Principal) -> Entry:
    return _decide(replace(cmd, approve=True), uows, who)


def reject_entry(cmd: c.DecideEntry, uows: PointsUnitOfWorkFactory, who: Principal) -> Entry:
    return _decide(replace(cmd, approve=False), uows, who)


def reverse_entry(cmd: c.ReverseEntry, uows: PointsUnitOfWorkFactory, who: Principal) -> Entry:
    """A new entry cancelling a counted one (申诉, 更正); the original stays, REVERSED."""
    v = Validator()
    reason = v.text(cmd.reason, "reason", max_len=text.REASON_MAX, multi_line=True)
    v.raise_if_any()
    with uows(cmd.tenant) as uow:
        claim = uow.idempotency.claim("ReverseEntry", cmd)
        if claim.done:
            return _replayed(uow, who, claim.done)
        with Posting(uow) as post:
            original = access.load_entry(uow, cmd.entry_id)
            member = access.load_member(uow, original.member_id)
            access.check_member_within(uow, who, member)
            access.check_recordable(uow, member)
            rules.check_reversible(original, entry_name(uow.tenant, original.id))
            revision = entry_revision(uow, original)
            reversal = post.link(rules.reversal_of(original, entry_id=new_id("e"), recorded_by=who.subject,
                                                   reason=reason, created_at=utcnow()))
            uow.ledger.add_entries([reversal])
            uow.ledger.mark_reversed(original.id, reversal.id)
            post_new(uow, reversal, revision, member_year(uow, original.member_id, original.year,
                                                          revision.content.base))
        claim.remember(entry_name(uow.tenant, reversal.id))
        uow.commit()
        return reversal
