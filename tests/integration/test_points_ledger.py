"""The points ledger through gRPC on SQLite and PostgreSQL: record, caps, approvals, reversals,
threshold events, balances, listings, standings, summaries, chain verification, bad input."""

from __future__ import annotations

from dataclasses import replace

import grpc
from partybuilding.points.v1 import points_exchange_pb2 as xpb
from partybuilding.points.v1 import points_ledger_pb2 as lpb
from sqlalchemy import text

from tests.helpers import County, expect
from tests.integration.ledger_setup import LedgerCounty, ago

E = lpb.Entry
OK = grpc.StatusCode


def test_record_counts_and_the_balance_breaks_it_down(platform):
    c = LedgerCounty(platform)
    m = c.members[0].name
    entry = c.record(m, "ABSENT", 2, note="两次无故缺席", evidence_ref="会议记录 2026-05")
    assert (entry.status, entry.points, entry.requested_points, entry.capped) == (E.COUNTED, -4, -4, False)
    assert entry.member == m and entry.unit == c.villages[0].name and entry.chain_position == 1
    balance = c.balance(m)
    assert (balance.balance, balance.base, balance.status, balance.pending_count) == (8, 12, "NORMAL", 0)
    assert [(r.rule_code, r.points, r.quantity, r.yearly_cap) for r in balance.rules] == [("ABSENT", -4, 2, 6)]
    assert c.balance(c.members[1].name).balance == 12  # no entries: the base, no job opened the year


def test_an_entry_over_the_yearly_cap_is_recorded_capped_with_the_reason(platform):
    c = LedgerCounty(platform)
    m = c.members[0].name
    c.record(m, "ABSENT", 2)
    capped = c.record(m, "ABSENT", 2)
    assert (capped.points, capped.requested_points, capped.capped) == (-2, -4, True)
    assert "年度上限" in capped.cap_reason_zh and "yearly cap" in capped.cap_reason_en
    zero = c.record(m, "ABSENT", 1)
    assert (zero.points, zero.capped, zero.status) == (0, True, E.COUNTED)  # never dropped
    balance = c.balance(m)
    assert balance.balance == 6 and list(balance.rules_near_cap) == ["ABSENT"]
    award = c.record(m, "URGENT", 3)  # 6 requested, cap 4, and never above the base 12
    assert (award.points, award.capped) == (4, True)
    top = c.record(m, "URGENT", 1)
    assert top.points == 0 and "yearly cap" in top.cap_reason_en
    full = c.record(c.members[1].name, "URGENT", 1)
    assert (full.points, full.capped) == (0, True) and "base" in full.cap_reason_en and "基础分" in full.cap_reason_zh


def test_approval_waits_pending_and_never_by_the_recorder(platform):
    c = LedgerCounty(platform)
    m = c.members[0].name
    pending = c.record(m, "GRAVE", md=c.clerk)
    assert pending.status == E.PENDING and pending.recorded_by == "clerk-0"
    balance = c.balance(m)
    assert (balance.balance, balance.pending_count) == (12, 1)
    d = expect(OK.PERMISSION_DENIED, c.approve, pending.name, md=c.clerk, reason="SELF_APPROVAL")
    assert "自己" in d.zh
    expect(OK.ABORTED, c.approve, pending.name, etag='"7"', reason="ETAG_MISMATCH")
    approved = c.approve(pending.name, reason="情况属实", etag=pending.etag)
    assert (approved.status, approved.decided_by, approved.points) == (E.COUNTED, "dev", -12)
    balance = c.balance(m)
    assert (balance.balance, balance.status, balance.status_name_zh, balance.pending_count) == (
        0, "UNQUALIFIED", "不合格党员", 0)
    expect(OK.FAILED_PRECONDITION, c.approve, pending.name, reason="ENTRY_NOT_PENDING")
    review = c.record(c.members[1].name, "REVIEW", md=c.clerk)
    rejected = c.points.RejectEntry(lpb.RejectEntryRequest(name=review.name, reason="证据不足"), metadata=c.admin)
    assert rejected.status == E.REJECTED and c.balance(c.members[1].name).balance == 12
    expect(OK.FAILED_PRECONDITION, c.reverse, review.name, reason="ENTRY_REJECTED")
    again = c.record(c.members[1].name, "REVIEW", md=c.clerk)
    expect(OK.FAILED_PRECONDITION, c.reverse, again.name, reason="ENTRY_PENDING")
    assert c.verify().ok


def test_thresholds_cross_once_per_member_and_year_and_clear_on_reversal(platform):
    c = LedgerCounty(platform)
    m = c.members[2].name
    c.record(m, "LATE", 2)  # 6: not below 6
    assert c.events("points.threshold_crossed") == []
    crossing = c.record(m, "LATE", 1)  # 3: below 6
    crossed = c.events("points.threshold_crossed")
    assert [(e["member"], e["threshold_code"], e["balance"], e["entry"]) for e in crossed] == [
        (m, "REMINDER_TALK", 3, crossing.name)]
    assert crossed[0]["threshold_name_zh"] == "提醒谈话" and crossed[0]["year"] == crossing.year
    reversal = c.reverse(crossing.name)
    assert (reversal.points, reversal.reverses, reversal.status) == (3, crossing.name, E.COUNTED)
    assert c.balance(m).balance == 6
    cleared = c.events("points.threshold_cleared")
    assert [(e["threshold_code"], e["balance"], e["entry"]) for e in cleared] == [("REMINDER_TALK", 6, reversal.name)]
    listed = c.points.ListEntries(lpb.ListEntriesRequest(parent=c.parent, member=m), metadata=c.admin).entries
    original = next(e for e in listed if e.name == crossing.name)
    assert original.status == E.REVERSED and original.reversed_by == reversal.name  # the original stays
    c.record(m, "LATE", 1)  # below 6 again: the year's crossing was already told
    assert len(c.events("points.threshold_crossed")) == 1
    expect(OK.FAILED_PRECONDITION, c.reverse, crossing.name, reason="ALREADY_REVERSED")
    expect(OK.FAILED_PRECONDITION, c.reverse, reversal.name, reason="REVERSAL_NOT_REVERSIBLE")
    assert c.verify().ok


def test_list_entries_pages_and_filters(platform):
    c = LedgerCounty(platform)
    m = c.members[0].name
    made = [c.record(m, "STUDY", i + 1) for i in range(7)]
    c.record(c.other.name, "LATE")
    seen, token = [], ""
    while True:
        page = c.points.ListEntries(lpb.ListEntriesRequest(parent=c.parent, member=m, page_size=3, page_token=token),
                                    metadata=c.admin)
        seen.append([e.name for e in page.entries])
        token = page.next_page_token
        if not token:
            break
    assert [len(p) for p in seen] == [3, 3, 1]
    assert sum(seen, []) == [e.name for e in reversed(made)]  # newest first
    expect(OK.INVALID_ARGUMENT, c.points.ListEntries, lpb.ListEntriesRequest(
        parent=c.parent, member=m, rule_code="LATE", page_size=3,
        page_token=c.points.ListEntries(lpb.ListEntriesRequest(parent=c.parent, member=m, page_size=3),
                                        metadata=c.admin).next_page_token), metadata=c.admin, field="page_token")
    village1 = c.points.ListEntries(lpb.ListEntriesRequest(parent=c.parent, unit=c.villages[1].name), metadata=c.admin)
    assert [e.member for e in village1.entries] == [c.other.name]
    late = c.points.ListEntries(lpb.ListEntriesRequest(parent=c.parent, rule_code="LATE"), metadata=c.admin)
    assert len(late.entries) == 1
    counted = c.points.ListEntries(lpb.ListEntriesRequest(parent=c.parent, status=E.PENDING), metadata=c.admin)
    assert list(counted.entries) == []
    mine = c.points.ListEntries(lpb.ListEntriesRequest(parent=c.parent), metadata=c.clerk)
    assert {e.member for e in mine.entries} == {m}  # a clerk lists their own subtree


def test_standings_share_ranks_and_the_summary_counts_everyone(platform):
    c = LedgerCounty(platform)
    a, b, d, e = (m.name for m in c.members)
    c.record(d, "LATE", 1)  # 9
    c.record(e, "LATE", 3)  # 3: reminder talk
    c.record(c.other.name, "LATE", 4)  # 0: unqualified
    standings = c.points.GetStandings(lpb.GetStandingsRequest(parent=c.parent, unit=c.villages[0].name, top_n=4,
                                                              bottom_n=1), metadata=c.admin)
    assert [(s.rank, s.balance) for s in standings.top] == [(1, 12), (1, 12), (3, 9), (4, 3)]
    assert [s.member for s in standings.bottom] == [e] and standings.member_count == 4
    county = c.points.GetStandings(lpb.GetStandingsRequest(parent=c.parent, bottom_n=1), metadata=c.admin)
    assert county.member_count == 5 and county.bottom[0].status == "UNQUALIFIED"
    summary = c.points.GetUnitSummary(lpb.GetUnitSummaryRequest(parent=c.parent, unit=c.station.name),
                                      metadata=c.admin)
    lines = {line.display_name: line for line in summary.children}
    village0 = lines["村0"]
    assert village0.member_count == 4 and village0.average_balance == (12 + 12 + 9 + 3) / 4
    assert {s.status: s.member_count for s in village0.statuses} == {"NORMAL": 3, "REMINDER_TALK": 1}
    assert {s.status: s.member_count for s in lines["村1"].statuses} == {"UNQUALIFIED": 1}
    assert summary.total.member_count == 5
    whole = c.points.GetUnitSummary(lpb.GetUnitSummaryRequest(parent=c.parent), metadata=c.admin)
    assert [line.display_name for line in whole.children] == ["彭镇"] and whole.children[0].member_count == 5


def test_verify_ledger_names_a_row_altered_in_the_database(platform):
    c = LedgerCounty(platform)
    m = c.members[0].name
    c.record(m, "LATE")
    target = c.record(m, "LATE")
    c.record(c.members[1].name, "LATE")
    ok = c.verify()
    assert (ok.ok, ok.links_checked, ok.entries_checked) == (True, 3, 3)
    with platform.runtime("points").engine.begin() as conn:
        conn.execute(text("UPDATE entries SET points = points + 3 WHERE id = :id"), {"id": target.name.rsplit("/")[-1]})
    broken = c.verify()
    assert not broken.ok and broken.first_broken == target.name
    assert "altered" in broken.problem_en and broken.problem_zh


def test_verify_ledger_names_a_status_flipped_in_the_database(platform):
    c = LedgerCounty(platform)
    pending = c.record(c.members[0].name, "REVIEW", md=c.clerk)
    with platform.runtime("points").engine.begin() as conn:
        conn.execute(text("UPDATE entries SET status = 'COUNTED' WHERE id = :id"), {"id": pending.name.rsplit("/")[-1]})
    broken = c.verify()
    assert not broken.ok and broken.first_broken == pending.name and "PENDING" in broken.problem_en


def test_batch_records_all_or_nothing_and_replays(platform):
    c = LedgerCounty(platform)
    names = [m.name for m in c.members]
    request = lpb.BatchRecordEntriesRequest(
        parent=c.parent, rule_code="STUDY", occurred_time=ago(hours=2), note="主题党日",
        items=[lpb.BatchEntryItem(member=n, quantity=2) for n in names], request_id="batch-1")
    bad = lpb.BatchRecordEntriesRequest()
    bad.CopyFrom(request)
    bad.request_id = "batch-bad"
    bad.items.add(member=f"{c.parent}/members/m-nobody", quantity=1)
    bad.items.add(member=names[0], quantity=1)
    d = expect(OK.INVALID_ARGUMENT, c.points.BatchRecordEntries, bad, metadata=c.admin, field="items[4].member")
    assert "items[5].member" in d.fields and c.entry_count() == 0
    done = c.points.BatchRecordEntries(request, metadata=c.admin)
    assert [e.member for e in done.entries] == names and {e.points for e in done.entries} == {2}
    again = c.points.BatchRecordEntries(request, metadata=c.admin)
    assert [e.name for e in again.entries] == [e.name for e in done.entries] and c.entry_count() == 4
    request.note = "另一次"
    expect(OK.INVALID_ARGUMENT, c.points.BatchRecordEntries, request, metadata=c.admin, reason="REQUEST_ID_REUSED")


def test_bad_input_gets_the_right_code_field_and_both_languages(platform):
    c = LedgerCounty(platform)
    other = LedgerCounty(platform)
    m = c.members[0].name
    cases = [
        (dict(member=f"{c.parent}/members/m-nobody"), OK.INVALID_ARGUMENT, "member", "MEMBER_NOT_FOUND"),
        (dict(member=other.members[0].name), OK.PERMISSION_DENIED, None, "TENANT_ACCESS_DENIED"),
        (dict(rule_code="NO_SUCH_RULE"), OK.INVALID_ARGUMENT, "rule_code", None),
        (dict(occurred_time=ago(days=365 * 8)), OK.INVALID_ARGUMENT, "occurred_time", None),  # before 2020
        (dict(occurred_time=ago(minutes=-30)), OK.INVALID_ARGUMENT, "occurred_time", None),
        (dict(quantity=0), OK.INVALID_ARGUMENT, "quantity", None),
        (dict(quantity=101), OK.INVALID_ARGUMENT, "quantity", None),
        (dict(note="缺席\u202e"), OK.INVALID_ARGUMENT, "note", None),
        (dict(evidence_ref="x" * 201), OK.INVALID_ARGUMENT, "evidence_ref", None),
        (dict(rule_code="SYSTEM_ONLY"), OK.PERMISSION_DENIED, None, "RECORDER_NOT_ALLOWED"),
        (dict(member=c.other.name, md=c.clerk), OK.PERMISSION_DENIED, None, "OUTSIDE_CLERK_SUBTREE"),
    ]
    for changes, code, field, reason in cases:
        args = {"member": m, "rule_code": "LATE", "quantity": 1, **changes}
        member, rule_code, quantity = args.pop("member"), args.pop("rule_code"), args.pop("quantity")
        d = expect(code, c.record, member, rule_code, quantity, field=field, reason=reason, **args)
        assert d.zh and any("\u4e00" <= ch <= "\u9fff" for ch in d.zh), (changes, d)
    assert c.entry_count() == 0
    assert c.record(c.members[1].name, "SYSTEM_ONLY", md=platform.as_("system", [c.code], scopes=["points.write"]))
    c.record(m, "LATE", request_id="r-1")
    expect(OK.INVALID_ARGUMENT, c.record, m, "LATE", 2, request_id="r-1", field="request_id",
            reason="REQUEST_ID_REUSED")
    with platform.runtime("points").uow_factory(c.code) as uow:
        member = uow.directory.member(c.members[3].name.rsplit("/")[-1])
        uow.directory.apply_members([replace(member, state="TRANSFERRED_OUT", version=member.version + 1)])
        uow.commit()
    expect(OK.FAILED_PRECONDITION, c.record, c.members[3].name, "LATE", reason="MEMBER_TRANSFERRED_OUT")
    assert c.balance(c.members[3].name).balance == 12  # history stays readable
    expect(OK.NOT_FOUND, c.balance, f"{c.parent}/members/m-nobody")


def test_another_countys_token_is_refused_on_every_ledger_rpc(platform):
    c = LedgerCounty(platform)
    m = c.members[0].name
    entry = c.record(m, "REVIEW", md=c.clerk)
    stranger = platform.as_("county_admin", [LedgerCounty(platform).code])
    p = c.points
    calls = [
        (p.RecordEntry, lpb.RecordEntryRequest(parent=c.parent, member=m, rule_code="LATE", quantity=1,
                                               occurred_time=ago(hours=1))),
        (p.BatchRecordEntries, lpb.BatchRecordEntriesRequest(parent=c.parent, rule_code="LATE", occurred_time=ago(hours=1),
                                                             items=[lpb.BatchEntryItem(member=m, quantity=1)])),
        (p.ApproveEntry, lpb.ApproveEntryRequest(name=entry.name)),
        (p.RejectEntry, lpb.RejectEntryRequest(name=entry.name)),
        (p.ReverseEntry, lpb.ReverseEntryRequest(name=entry.name, reason="x")),
        (p.GetBalance, lpb.GetBalanceRequest(member=m)),
        (p.ListEntries, lpb.ListEntriesRequest(parent=c.parent)),
        (p.GetStandings, lpb.GetStandingsRequest(parent=c.parent)),
        (p.GetUnitSummary, lpb.GetUnitSummaryRequest(parent=c.parent)),
        (p.VerifyLedger, lpb.VerifyLedgerRequest(parent=c.parent)),
    ]
    for call, request in calls:
        expect(OK.PERMISSION_DENIED, call, request, metadata=stranger, reason="TENANT_ACCESS_DENIED")
    assert c.entry_count() == 1 and c.balance(m).pending_count == 1
    expect(OK.PERMISSION_DENIED, p.VerifyLedger, lpb.VerifyLedgerRequest(parent=c.parent), metadata=c.clerk)


def test_the_demo_year_shows_members_below_six_one_unqualified_and_pending_approvals(platform):
    from services.points import demo

    c = County(platform)
    village = c.tree(1)[2][0]
    for i in range(20):
        c.member(village.name, f"党员{i}")
    LedgerCounty.sync(c)
    uows = platform.runtime("points").uow_factory
    assert demo.load_demo_serving(uows, c.code)  # what `make run` calls once it serves
    summary = _settled_summary(c)
    statuses = {s.status: s.member_count for s in summary.total.statuses}
    assert statuses["REMINDER_TALK"] >= 3 and statuses["UNQUALIFIED"] == 1
    pending = c.p.points.ListEntries(lpb.ListEntriesRequest(parent=c.parent, status=E.PENDING), metadata=c.admin)
    assert len(pending.entries) == 3
    assert c.p.points.VerifyLedger(lpb.VerifyLedgerRequest(parent=c.parent), metadata=c.admin).ok
    assert not demo.load_demo_serving(uows, c.code)  # a restart adds nothing
    assert _settled_summary(c) == summary
    stores = c.p.points.ListStores(xpb.ListStoresRequest(parent=c.parent), metadata=c.admin).stores
    assert len(stores) == 1  # the store opened in the first village, once


def _settled_summary(c):
    """The county's summary once the demo's last entry (the reversal of an appeal) is in."""
    reversed_ = c.p.points.ListEntries(lpb.ListEntriesRequest(parent=c.parent, status=E.REVERSED), metadata=c.admin)
    if not reversed_.entries:
        return None
    return c.p.points.GetUnitSummary(lpb.GetUnitSummaryRequest(parent=c.parent), metadata=c.admin)


def test_a_member_created_through_the_organization_is_awarded_points_at_once(platform):
    c = LedgerCounty(platform)
    newcomer = c.member(c.villages[0].name, "新党员")  # no event applied yet: the directory reads through
    entry = c.record(newcomer.name, "STUDY", 2)
    assert entry.points == 2 and entry.unit == c.villages[0].name
    assert c.balance(newcomer.name).balance == 14
