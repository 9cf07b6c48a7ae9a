"""The ledger's pure rules: points under a revision, caps, status, crossings, reversals, chain."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from services.common.errors import FailedPrecondition, PermissionDenied
from services.points.domain import chain, ledger
from services.points.domain import rule_sets as rs
from services.points.domain.ledger import Entry, EntryStatus, MemberYear


def Rule(code, kind, points=1, **options) -> rs.Rule:  # noqa: N802 - reads as the rule it builds
    return rs.Rule(code, code, code, rs.Kind(kind), points, rs.Unit.TIMES, **options)


def threshold(code, comparison, value, severity) -> rs.Threshold:
    return rs.Threshold(code, code, code, rs.Comparison(comparison), value, severity)


TWELVE = rs.RuleSetContent(rs.Mode.DEDUCT_FROM_BASE, 12, thresholds=(
    threshold("REMINDER_TALK", "BELOW", 6, 1), threshold("UNQUALIFIED", "AT_OR_BELOW", 0, 2)))
ACCUMULATE = rs.RuleSetContent(rs.Mode.ACCUMULATE, 0)


def planned(revision, rule, quantity, balance, cap_used=0, **pending):
    state = MemberYear(base=revision.base, balance=balance, **pending)
    return ledger.plan_points(revision, rule, quantity, state, cap_used)


# mode, rule, quantity, balance, cap used, pending -> points, capped
@pytest.mark.parametrize("revision,rule,quantity,balance,cap_used,pending,points,capped", [
    (ACCUMULATE, Rule("MEETING", "AWARD", 2), 3, 0, 0, {}, 6, False),
    (ACCUMULATE, Rule("MEETING", "AWARD", 2), 3, 40, 0, {}, 6, False),
    (ACCUMULATE, Rule("LATE", "DEDUCT", 2), 1, 5, 0, {}, -2, False),
    (ACCUMULATE, Rule("LATE", "DEDUCT", 2), 3, 5, 0, {}, -5, True),  # floor 0
    (ACCUMULATE, Rule("VOLUNTEER", "AWARD", 1, yearly_cap=10), 4, 0, 8, {}, 2, True),
    (ACCUMULATE, Rule("VOLUNTEER", "AWARD", 1, yearly_cap=10), 4, 0, 10, {}, 0, True),
    (ACCUMULATE, Rule("VOLUNTEER", "AWARD", 1, yearly_cap=10), 2, 0, 8, {}, 2, False),
    (TWELVE, Rule("ABSENT", "DEDUCT", 2), 1, 12, 0, {}, -2, False),
    (TWELVE, Rule("ABSENT", "DEDUCT", 2), 4, 5, 0, {}, -5, True),
    (TWELVE, Rule("GRAVE", "DEDUCT_ALL"), 1, 12, 0, {}, -12, False),
    (TWELVE, Rule("GRAVE", "DEDUCT_ALL"), 1, 7, 0, {}, -7, False),
    (TWELVE, Rule("GRAVE", "DEDUCT_ALL"), 1, 0, 0, {}, 0, False),
    (TWELVE, Rule("URGENT", "AWARD", 2), 1, 12, 0, {}, 0, True),  # never above the base
    (TWELVE, Rule("URGENT", "AWARD", 2), 1, 11, 0, {}, 1, True),
    (TWELVE, Rule("URGENT", "AWARD", 2), 1, 9, 0, {}, 2, False),
    (TWELVE, Rule("HERO", "AWARD", 2, lift_above_base=True), 1, 12, 0, {}, 2, False),
    (TWELVE, Rule("ABSENT", "DEDUCT", 2), 1, 3, 0, {"pending_down": -2}, -1, True),  # reservation
    (TWELVE, Rule("URGENT", "AWARD", 2), 1, 9, 0, {"pending_up": 2}, 1, True),
    (TWELVE, Rule("GRAVE", "DEDUCT_ALL"), 1, 8, 0, {"pending_down": -3}, -5, False),
    (TWELVE, Rule("ABSENT", "DEDUCT", 3, yearly_cap=6), 3, 12, 3, {}, -3, True),
])
def test_points_under_a_revision(revision, rule, quantity, balance, cap_used, pending, points, capped):
    plan = planned(revision, rule, quantity, balance, cap_used, **pending)
    assert (plan.points, plan.capped) == (points, capped)
    assert bool(plan.cap_reason_zh) == bool(plan.cap_reason_en) == capped


def test_cap_reason_names_the_cap_in_both_languages():
    plan = planned(ACCUMULATE, Rule("VOLUNTEER", "AWARD", 1, yearly_cap=10), 4, 0, 8)
    assert "10" in plan.cap_reason_zh and "年度上限" in plan.cap_reason_zh
    assert "yearly cap" in plan.cap_reason_en and "counted as 2" in plan.cap_reason_en
    assert plan.requested == 4


def test_two_limits_give_both_reasons():
    plan = planned(TWELVE, Rule("URGENT", "AWARD", 2, yearly_cap=3), 2, 11, 0)
    assert plan.points == 1
    assert "yearly cap" in plan.cap_reason_en and "above the base" in plan.cap_reason_en
    assert "；" in plan.cap_reason_zh


@pytest.mark.parametrize("quantity,cap_used,exchange", [(4, 0, 12), (4, 8, 6), (4, 10, 0)])
def test_exchange_points_follow_the_yearly_cap(quantity, cap_used, exchange):
    rule = Rule("VOLUNTEER", "AWARD", 1, yearly_cap=10, exchange_points=3)
    assert planned(ACCUMULATE, rule, quantity, 0, cap_used).exchange_points == exchange


def test_exchange_points_are_not_cut_by_the_base():
    plan = planned(TWELVE, Rule("URGENT", "AWARD", 2, exchange_points=5), 1, 12)
    assert (plan.points, plan.exchange_points) == (0, 5)


def test_member_year_reserves_and_releases():
    year = MemberYear.fresh(12)
    assert (year.balance, year.pending_count) == (12, 0)
    reserved = year.after(-3, pending=True)
    assert (reserved.balance, reserved.pending_down, reserved.pending_count) == (12, -3, 1)
    assert reserved.decided(-3, approved=True) == replace(year, balance=9)
    assert reserved.decided(-3, approved=False) == year
    assert year.after(2, pending=False).balance == 14


@pytest.mark.parametrize("balance,status", [
    (12, "NORMAL"), (6, "NORMAL"), (5, "REMINDER_TALK"), (1, "REMINDER_TALK"), (0, "UNQUALIFIED"), (-3, "UNQUALIFIED"),
])
def test_status_is_the_most_severe_threshold_met(balance, status):
    revision = rs.RuleSetRevision("610222", "rs-1", 1, rs.State.PUBLISHED, TWELVE)
    assert revision.status_of(balance) == status


@pytest.mark.parametrize("old,new,crossed,cleared", [
    (12, 10, [], []),
    (7, 5, ["REMINDER_TALK"], []),
    (7, 0, ["REMINDER_TALK", "UNQUALIFIED"], []),
    (5, 0, ["UNQUALIFIED"], []),
    (0, 5, [], ["UNQUALIFIED"]),
    (0, 8, [], ["REMINDER_TALK", "UNQUALIFIED"]),
    (5, 5, [], []),
])
def test_crossings(old, new, crossed, cleared):
    found = ledger.crossings(TWELVE.thresholds, old, new)
    assert [t.code for t in found.crossed] == crossed
    assert [t.code for t in found.cleared] == cleared


def test_near_cap_from_eighty_percent():
    assert ledger.RuleUse("V", 8, 8, yearly_cap=10).near_cap
    assert not ledger.RuleUse("V", 7, 7, yearly_cap=10).near_cap
    assert ledger.RuleUse("D", -8, 4, yearly_cap=10).near_cap
    assert not ledger.RuleUse("V", 80, 80).near_cap


NOW = dt.datetime(2026, 5, 1, 8, 30, 0, 123456, tzinfo=dt.UTC)


def entry(**changes) -> Entry:
    base = Entry(
        id="e-1", tenant="610222", member_id="m-1", unit_id="u-1", rule_set_id="rs-1", revision=1,
        rule_code="ABSENT", kind="DEDUCT", quantity=1, requested_points=-2, points=-2, exchange_points=0,
        occurred_at=NOW, year=2026, status=EntryStatus.COUNTED, approval_required=False,
        recorded_by="clerk-1", created_at=NOW, note="缺席主题党日",
    )
    return replace(base, **changes)


def test_reversal_carries_the_negative_points():
    original = entry(points=-2, exchange_points=3)
    reversal = ledger.reversal_of(original, entry_id="e-2", recorded_by="admin", reason="申诉成立", created_at=NOW)
    assert (reversal.points, reversal.exchange_points, reversal.reverses) == (2, -3, "e-1")
    assert reversal.status == EntryStatus.COUNTED and not reversal.approval_required
    assert (reversal.member_id, reversal.year, reversal.rule_code) == ("m-1", 2026, "ABSENT")


@pytest.mark.parametrize("changes,reason", [
    ({"status": EntryStatus.PENDING, "approval_required": True}, "ENTRY_PENDING"),
    ({"status": EntryStatus.REJECTED, "approval_required": True}, "ENTRY_REJECTED"),
    ({"status": EntryStatus.REVERSED}, "ALREADY_REVERSED"),
    ({"reverses": "e-0"}, "REVERSAL_NOT_REVERSIBLE"),
])
def test_reversal_refusals(changes, reason):
    with pytest.raises(FailedPrecondition) as info:
        ledger.check_reversible(entry(**changes), "tenants/610222/entries/e-1")
    assert info.value.reason == reason
    assert info.value.zh and info.value.en


def test_a_counted_entry_is_reversible():
    ledger.check_reversible(entry(), "tenants/610222/entries/e-1")


def test_decisions():
    pending = entry(status=EntryStatus.PENDING, approval_required=True)
    ledger.check_decision(pending, "admin-1", "n")
    with pytest.raises(PermissionDenied) as own:
        ledger.check_decision(pending, "clerk-1", "n")
    assert own.value.reason == "SELF_APPROVAL"
    with pytest.raises(FailedPrecondition) as done:
        ledger.check_decision(entry(), "admin-1", "n")
    assert done.value.reason == "ENTRY_NOT_PENDING"


def test_ties_share_a_rank():
    standings = ledger.rank([("a", 10), ("b", 12), ("c", 10), ("d", 3)])
    assert [(s.member_id, s.rank) for s in standings] == [("b", 1), ("a", 2), ("c", 2), ("d", 4)]
    assert [s.rank for s in ledger.rank([("a", 5), ("b", 5), ("c", 4)])] == [1, 1, 3]
    assert ledger.rank([]) == []


def test_status_counts():
    counts = ledger.StatusCounts("u-1")
    for balance, status in [(12, "NORMAL"), (4, "REMINDER_TALK"), (12, "NORMAL")]:
        counts.add(balance, status)
    assert (counts.members, counts.average, counts.by_status["NORMAL"]) == (3, 28 / 3, 2)
    assert ledger.StatusCounts("u-2").average == 0.0


# -- the chain ---------------------------------------------------------------------------


def build_chain() -> list:
    links = [
        entry(id="e-1"),
        entry(id="e-2", status=EntryStatus.PENDING, approval_required=True, points=-3, requested_points=-3),
        chain.EntryDecision("610222", "e-2", chain.Decision.APPROVE, "admin-1", "属实", NOW),
        entry(id="e-3", points=2, requested_points=2, reverses="e-1", note="申诉"),
    ]
    sealed, prev = [], chain.GENESIS
    for seq, link in enumerate(links, start=1):
        placed = chain.seal(link, seq, prev)
        sealed.append(placed)
        prev = placed.hash
    sealed[0] = replace(sealed[0], status=EntryStatus.REVERSED)
    sealed[1] = replace(sealed[1], status=EntryStatus.COUNTED, decided_by="admin-1")
    return sealed


def verify(links):
    verifier = chain.ChainVerifier()
    for link in links:
        broken = verifier.feed(link)
        if broken:
            return broken
    return verifier.status_problem()


def test_an_intact_chain_verifies():
    links = build_chain()
    assert links[0].prev_hash == chain.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(links, links[1:], strict=False))
    assert verify(links) is None


def test_the_hash_covers_the_previous_hash_and_the_fields():
    first = chain.seal(entry(), 1, chain.GENESIS)
    assert chain.seal(entry(), 1, "1" * 64).hash != first.hash
    assert chain.seal(entry(note="别的"), 1, chain.GENESIS).hash != first.hash
    assert chain.seal(replace(entry(), status=EntryStatus.REVERSED), 1, chain.GENESIS).hash == first.hash


def test_timestamps_hash_alike_naive_or_aware():
    naive = entry(occurred_at=NOW.replace(tzinfo=None), created_at=NOW.replace(tzinfo=None))
    assert chain.seal(naive, 1, chain.GENESIS).hash == chain.seal(entry(), 1, chain.GENESIS).hash


@pytest.mark.parametrize("index,change,entry_id,why", [
    (0, {"points": -1}, "e-1", "altered"),
    (1, {"points": -1}, "e-2", "altered"),
    (2, {"decided_by": "someone"}, "e-2", "altered"),
    (3, {"reverses": "e-9"}, "e-3", "altered"),
    (3, {"prev_hash": "f" * 64}, "e-3", "previous hash"),
])
def test_a_changed_link_is_named(index, change, entry_id, why):
    links = build_chain()
    links[index] = replace(links[index], **change)
    broken = verify(links)
    assert broken.entry_id == entry_id and why in broken.en and broken.zh


def test_a_missing_link_is_named():
    links = build_chain()
    del links[1]
    broken = verify(links)
    assert (broken.entry_id, broken.seq) == ("e-2", 3) and "missing" in broken.en


@pytest.mark.parametrize("index,status,expected", [
    (0, EntryStatus.COUNTED, "REVERSED"),
    (1, EntryStatus.PENDING, "COUNTED"),
    (1, EntryStatus.REJECTED, "COUNTED"),
])
def test_a_status_the_chain_does_not_support_is_named(index, status, expected):
    links = build_chain()
    links[index] = replace(links[index], status=status)
    broken = verify(links)
    assert broken.entry_id == links[index].id and expected in broken.en


@pytest.mark.parametrize("decision,reversed_,required,status", [
    (None, False, False, EntryStatus.COUNTED),
    (None, True, False, EntryStatus.REVERSED),
    (None, False, True, EntryStatus.PENDING),
    (chain.Decision.APPROVE, False, True, EntryStatus.COUNTED),
    (chain.Decision.APPROVE, True, True, EntryStatus.REVERSED),
    (chain.Decision.REJECT, False, True, EntryStatus.REJECTED),
])
def test_expected_status(decision, reversed_, required, status):
    assert chain.expected_status(required, decision, reversed_) == status
