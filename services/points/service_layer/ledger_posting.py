"""Appending to a county's ledger: the chain, the projections, the crossings and the wallet, in
the entry's own transaction.

Every ledger write takes the county's chain head first (`Posting`), so a county's appends are
serial: balances read after it are current, and the projections never race.
"""

from __future__ import annotations

from services.points.domain import chain
from services.points.domain.chain import EntryDecision
from services.points.domain.ledger import Entry, EntryStatus, MemberYear, crossings
from services.points.domain.ledger_events import ThresholdCleared, ThresholdCrossed
from services.points.domain.names import entry_name, member_name, unit_name
from services.points.domain.rule_sets import RuleSetRevision
from services.points.service_layer import wallet
from services.points.service_layer.loaders import load_revision
from services.points.service_layer.unit_of_work import PointsUnitOfWork


class Posting:
    """One transaction's links of the county's chain: `with Posting(uow) as post:`."""

    def __init__(self, uow: PointsUnitOfWork):
        self.uow = uow

    def __enter__(self) -> Posting:
        self.seq, self.head = self.uow.ledger.lock_chain()
        return self

    def link(self, link):
        sealed = chain.seal(link, self.seq + 1, self.head)
        self.seq, self.head = sealed.seq, sealed.hash
        return sealed

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.uow.ledger.flush()  # the projections' writes, one statement per table
            self.uow.ledger.move_head(self.seq, self.head)


def member_year(uow: PointsUnitOfWork, member_id: str, year: int, base: int) -> MemberYear:
    """A member's year as the projection holds it; a year with no row starts at the base."""
    return uow.ledger.member_years([member_id], year).get(member_id) or MemberYear.fresh(base)


def entry_revision(uow: PointsUnitOfWork, entry: Entry) -> RuleSetRevision:
    """The published revision an entry was counted under."""
    key = ("revision", entry.rule_set_id, entry.revision)
    if key not in uow.loaded:
        uow.loaded[key] = load_revision(uow, entry.rule_set_id, entry.revision)
    return uow.loaded[key]


def settle(uow: PointsUnitOfWork, entry: Entry, revision: RuleSetRevision, old: MemberYear, new: MemberYear) -> None:
    """Store a member-year's new state; when its counted balance moved, record the crossings and
    credit the wallet."""
    status = revision.status_of(new.balance)
    uow.ledger.save_member_year(entry.member_id, entry.year, new, status)
    found = crossings(revision.content.thresholds, old.balance, new.balance)
    common = dict(member=member_name(uow.tenant, entry.member_id), unit=unit_name(uow.tenant, entry.unit_id),
                  year=entry.year, balance=new.balance, entry=entry_name(uow.tenant, entry.id), status=status)
    for threshold in found.crossed:
        if uow.ledger.cross(entry.member_id, entry.year, threshold.code, entry.id):
            uow.emit(ThresholdCrossed(threshold_code=threshold.code, threshold_name_zh=threshold.name_zh,
                                      threshold_name_en=threshold.name_en, **common))
    for threshold in found.cleared:
        if uow.ledger.clear(entry.member_id, entry.year, threshold.code, entry.id):
            uow.emit(ThresholdCleared(threshold_code=threshold.code, threshold_name_zh=threshold.name_zh,
                                      threshold_name_en=threshold.name_en, **common))


def post_new(uow: PointsUnitOfWork, entry: Entry, revision: RuleSetRevision, old: MemberYear) -> MemberYear:
    """The projections of a newly recorded entry (counted, or reserved while pending)."""
    pending = entry.status is EntryStatus.PENDING
    new = old.after(entry.points, pending=pending)
    if pending:
        uow.ledger.add_rule_total(entry.member_id, entry.year, entry.rule_code, reserved=entry.points)
        uow.ledger.save_member_year(entry.member_id, entry.year, new, revision.status_of(new.balance))
        return new
    quantity = -entry.quantity if entry.reverses else entry.quantity
    uow.ledger.add_rule_total(entry.member_id, entry.year, entry.rule_code, points=entry.points, quantity=quantity)
    settle(uow, entry, revision, old, new)
    if entry.exchange_points:
        wallet.credit_wallet(uow, uow.tenant, entry.member_id, entry.exchange_points, entry.id)
    return new


def post_decision(uow: PointsUnitOfWork, entry: Entry, decision: EntryDecision) -> None:
    """A pending entry approved (now counted) or rejected (its reservation released)."""
    revision = entry_revision(uow, entry)
    old = member_year(uow, entry.member_id, entry.year, revision.content.base)
    approved = decision.decision == chain.Decision.APPROVE
    new = old.decided(entry.points, approved=approved)
    if approved:
        uow.ledger.add_rule_total(entry.member_id, entry.year, entry.rule_code, points=entry.points,
                                  quantity=entry.quantity, reserved=-entry.points)
        settle(uow, entry, revision, old, new)
        if entry.exchange_points:
            wallet.credit_wallet(uow, uow.tenant, entry.member_id, entry.exchange_points, entry.id)
    else:
        uow.ledger.add_rule_total(entry.member_id, entry.year, entry.rule_code, reserved=-entry.points)
        uow.ledger.save_member_year(entry.member_id, entry.year, new, revision.status_of(new.balance))
