"""What a reviewer's probe of the points service found, through gRPC on SQLite and PostgreSQL:
a transferred-out member's ledger is read-only for every write, a rule set needs a county that
exists, a malformed rule code is refused once, and ids typed full-width are the same ids."""

from __future__ import annotations

from dataclasses import replace

import grpc
from partybuilding.points.v1 import points_ledger_pb2 as lpb
from partybuilding.points.v1 import points_service_pb2 as ppb

from tests.helpers import details, expect, rpc_error
from tests.integration.ledger_setup import LedgerCounty
from tests.integration.test_points_rule_sets import a_rule_set

OK = grpc.StatusCode


def _transfer_out(platform, c: LedgerCounty, member: str) -> None:
    """The organization's member_transferred event, as the directory applies it."""
    with platform.runtime("points").uow_factory(c.code) as uow:
        known = uow.directory.member(member.rsplit("/")[-1])
        uow.directory.apply_members([replace(known, state="TRANSFERRED_OUT", version=known.version + 1)])
        uow.commit()


def test_a_member_transferred_out_is_read_only_for_decisions_and_reversals_too(platform):
    c = LedgerCounty(platform)
    m = c.members[0].name
    pending = c.record(m, "REVIEW", md=c.clerk)
    counted = c.record(m, "LATE")
    other_pending = c.record(m, "GRAVE", md=c.clerk)
    before = c.balance(m)
    _transfer_out(platform, c, m)

    for call, name in ((c.approve, pending.name), (c.reverse, counted.name)):
        err = rpc_error(call, name)
        assert (err.code(), details(err).reason) == (OK.FAILED_PRECONDITION, "MEMBER_TRANSFERRED_OUT")
        assert "转出" in details(err).zh and "read-only" in err.details()
    reject = c.points.RejectEntry
    expect(OK.FAILED_PRECONDITION, reject, lpb.RejectEntryRequest(name=other_pending.name, reason="x"),
           metadata=c.admin, reason="MEMBER_TRANSFERRED_OUT")
    after = c.balance(m)  # nothing half-written: the history stays as it was, readable
    assert (after.balance, after.pending_count) == (before.balance, before.pending_count) == (9, 2)
    statuses = {e.name: e.status for e in c.points.ListEntries(
        lpb.ListEntriesRequest(parent=c.parent, member=m), metadata=c.admin).entries}
    assert statuses == {pending.name: lpb.Entry.PENDING, counted.name: lpb.Entry.COUNTED,
                        other_pending.name: lpb.Entry.PENDING}
    assert c.verify().ok


def test_a_rule_set_needs_a_county_that_exists(platform):
    operator = platform.operator()
    for validate_only in (True, False):
        err = rpc_error(platform.points.CreateRuleSet, ppb.CreateRuleSetRequest(
            parent="tenants/659998", rule_set=a_rule_set(), validate_only=validate_only), metadata=operator)
        assert (err.code(), details(err).reason) == (OK.NOT_FOUND, "TENANT_NOT_FOUND")
        assert "县不存在" in details(err).zh and "tenant not found: tenants/659998" in err.details()
    expect(OK.NOT_FOUND, platform.points.CreateRuleSet, ppb.CreateRuleSetRequest(
        parent="tenants/659998", template="xuanen"), metadata=operator, reason="TENANT_NOT_FOUND")
    listed = platform.points.ListRuleSets(ppb.ListRuleSetsRequest(parent="tenants/659998"), metadata=operator)
    assert list(listed.rule_sets) == []  # nothing was written


def test_a_rule_code_with_a_control_character_is_refused_once_without_echoing_it(platform):
    c = LedgerCounty(platform)
    err = rpc_error(c.record, c.members[0].name, "LATE\n")
    assert err.code() == OK.INVALID_ARGUMENT and details(err).fields == ["rule_code"]
    assert "U+000A" in err.details() and "\n" not in err.details()


def test_a_member_id_and_rule_code_typed_full_width_are_the_same_member_and_rule(platform):
    c = LedgerCounty(platform)
    m = c.members[0].name
    wide = str.maketrans({chr(ch): chr(ch + 0xFEE0) for ch in range(0x21, 0x7F)})  # as 全角 mode types them
    parent, member_id = m.rsplit("/", 1)
    entry = c.record(f"{parent}/{member_id.translate(wide)}", "LATE".translate(wide))
    assert (entry.member, entry.rule_code, entry.points) == (m, "LATE", -3)
    assert c.balance(m).balance == 9 and c.verify().ok


def test_a_year_before_the_countys_first_rules_has_no_balances_to_show(platform):
    # Rules in force since 2020: 2019 had none, so nobody stood at 0 (不合格 in 十二分制) or NORMAL.
    c = LedgerCounty(platform)
    m = c.members[0].name
    calls = [(c.points.GetBalance, lpb.GetBalanceRequest(member=m, year=2019)),
             (c.points.GetStandings, lpb.GetStandingsRequest(parent=c.parent, year=2019)),
             (c.points.GetUnitSummary, lpb.GetUnitSummaryRequest(parent=c.parent, year=2019))]
    for call, request in calls:
        err = rpc_error(call, request, metadata=c.admin)
        assert (err.code(), details(err).reason) == (OK.FAILED_PRECONDITION, "NO_RULES_IN_FORCE"), err.details()
        assert "2019" in details(err).zh and "no points rules" in err.details()
    assert c.balance(m).balance == 12  # this year stays as it was
    assert c.points.GetBalance(lpb.GetBalanceRequest(member=m, year=2020), metadata=c.admin).balance == 12


def test_a_batch_names_an_unknown_member_as_record_entry_does_and_a_filter_refuses_hidden_characters(platform):
    c = LedgerCounty(platform)
    nobody = f"{c.parent}/members/m-nobody"
    err = rpc_error(c.points.BatchRecordEntries, lpb.BatchRecordEntriesRequest(
        parent=c.parent, rule_code="LATE", occurred_time=c.record(c.members[1].name, "LATE").occurred_time,
        items=[lpb.BatchEntryItem(member=c.members[0].name, quantity=1), lpb.BatchEntryItem(member=nobody, quantity=1)]),
        metadata=c.admin)
    assert err.code() == OK.INVALID_ARGUMENT and details(err).fields == ["items[1].member"]
    assert f"no such member: {nobody}" in err.details() and f"党员不存在：{nobody}" in details(err).zh
    err = rpc_error(c.points.ListEntries, lpb.ListEntriesRequest(parent=c.parent, rule_code="LATE\u202e"),
                    metadata=c.admin)
    assert err.code() == OK.INVALID_ARGUMENT and details(err).fields == ["rule_code"] and "U+202E" in err.details()


def test_a_rule_set_named_full_width_is_the_rule_set_created_under_its_ascii_id(platform):
    # CreateRuleSet folds ａｂｃ to abc; every read and write of it must find it under either spelling.
    county = LedgerCounty(platform)
    s, md = platform.points, county.admin
    created = s.CreateRuleSet(ppb.CreateRuleSetRequest(parent=county.parent, rule_set=a_rule_set(),
                                                       rule_set_id="ｄｒａｆｔ－２"), metadata=md)
    assert created.name == f"{county.parent}/ruleSets/draft-2"
    wide = f"{county.parent}/ruleSets/ｄｒａｆｔ－２"
    assert s.GetRuleSet(ppb.GetRuleSetRequest(name=wide), metadata=md).name == created.name
    assert s.GetRuleSetRevision(ppb.GetRuleSetRevisionRequest(name=f"{wide}/revisions/１"), metadata=md).revision == 1
    listed = s.ListRuleSetRevisions(ppb.ListRuleSetRevisionsRequest(parent=wide), metadata=md).revisions
    assert [r.revision for r in listed] == [1]
    published = s.PublishRuleSet(ppb.PublishRuleSetRequest(name=wide, effective_from="２０２６－０１－０１"), metadata=md)
    assert (published.name, published.state) == (created.name, ppb.RuleSet.PUBLISHED)


def test_entries_stores_goods_and_wallets_named_full_width_are_found(platform):
    from partybuilding.points.v1 import points_exchange_pb2 as xpb

    c = LedgerCounty(platform)
    wide = str.maketrans({chr(ch): chr(ch + 0xFEE0) for ch in range(0x21, 0x7F)})

    def typed(name: str) -> str:  # the ids after the county code, as 全角 mode types them
        return "/".join(part.translate(wide) if i >= 3 and i % 2 else part for i, part in enumerate(name.split("/")))

    pending = c.record(c.members[0].name, "REVIEW", md=c.clerk)
    rejected = c.points.RejectEntry(lpb.RejectEntryRequest(name=typed(pending.name), reason="证据不足"),
                                    metadata=c.admin)
    assert (rejected.name, rejected.status) == (pending.name, lpb.Entry.REJECTED)
    store = c.points.CreateStore(xpb.CreateStoreRequest(parent=c.parent, store=xpb.Store(
        display_name="村0爱心超市", unit=typed(c.villages[0].name))), metadata=c.admin)
    goods = c.points.CreateGoods(xpb.CreateGoodsRequest(parent=typed(store.name), goods=xpb.Goods(
        display_name="毛巾", price_points=5, stock=3)), metadata=c.admin)
    listed = c.points.ListGoods(xpb.ListGoodsRequest(parent=typed(store.name)), metadata=c.admin).goods
    assert [g.name for g in listed] == [goods.name]
    restocked = c.points.RestockGoods(xpb.RestockGoodsRequest(name=typed(goods.name), quantity=2), metadata=c.admin)
    assert restocked.stock == 5
    wallet = c.points.GetWallet(xpb.GetWalletRequest(member=typed(c.members[0].name)), metadata=c.admin)
    assert wallet.member == c.members[0].name


def test_a_replayed_request_id_answers_only_a_caller_who_may_see_the_member(platform):
    # The exchange checks the subtree on a replay; the ledger answered anyone who had the id and body.
    c = LedgerCounty(platform)
    m, other_clerk = c.members[0].name, c.as_clerk(c.villages[1].name, "clerk-1")
    when = c.record(c.members[1].name, "LATE").occurred_time
    first = c.record(m, "LATE", md=c.clerk, request_id="r-record", occurred_time=when)
    batch_request = lpb.BatchRecordEntriesRequest(parent=c.parent, rule_code="STUDY", occurred_time=when,
                                                  items=[lpb.BatchEntryItem(member=m, quantity=1)], request_id="r-batch")
    c.points.BatchRecordEntries(batch_request, metadata=c.clerk)
    reversal = c.reverse(first.name, md=c.admin, request_id="r-reverse")
    replays = [
        lambda: c.record(m, "LATE", md=other_clerk, request_id="r-record", occurred_time=when),
        lambda: c.points.BatchRecordEntries(batch_request, metadata=other_clerk),
        lambda: c.reverse(first.name, md=other_clerk, request_id="r-reverse"),
    ]
    for replay in replays:
        err = rpc_error(replay)
        assert (err.code(), details(err).reason) == (OK.PERMISSION_DENIED, "OUTSIDE_CLERK_SUBTREE"), err.details()
    assert c.record(m, "LATE", md=c.clerk, request_id="r-record", occurred_time=when).name == first.name
    assert c.reverse(first.name, request_id="r-reverse").name == reversal.name
    assert c.entry_count() == 4


def test_the_balance_shows_a_pending_deduction_as_pending_not_as_zero(platform):
    c = LedgerCounty(platform)
    m = c.members[0].name
    pending = c.record(m, "REVIEW", md=c.clerk)
    (line,) = c.balance(m).rules
    assert (line.rule_code, line.points, line.quantity, line.pending_points) == ("REVIEW", 0, 0, -3)
    c.approve(pending.name)
    (line,) = c.balance(m).rules
    assert (line.points, line.quantity, line.pending_points) == (-3, 1, 0)


def test_standings_and_summaries_follow_a_transfer_and_a_merge_and_the_ledger_stays(platform):
    from partybuilding.organization.v1 import organization_service_pb2 as opb

    c = LedgerCounty(platform, villages=3)
    v0, v1, v2 = (v.name for v in c.villages)
    moved = c.members[0].name
    entry = c.record(moved, "LATE")  # 9, recorded in 村0

    def ranked(unit: str) -> dict[str, int]:
        found = c.points.GetStandings(lpb.GetStandingsRequest(parent=c.parent, unit=unit, top_n=100), metadata=c.admin)
        return {s.member: s.balance for s in found.top}

    def counted(unit: str) -> int:
        return c.points.GetUnitSummary(lpb.GetUnitSummaryRequest(parent=c.parent, unit=unit),
                                       metadata=c.admin).total.member_count

    c.s.TransferMember(opb.TransferMemberRequest(name=moved, to_unit=v1, reason="迁居"), metadata=c.admin)
    c.sync()  # the organization's events, as the directory applies them
    assert moved not in ranked(v0) and ranked(v1)[moved] == 9 and c.balance(moved).balance == 9
    assert [e.name for e in c.points.ListEntries(lpb.ListEntriesRequest(parent=c.parent, unit=v1),
                                                 metadata=c.admin).entries] == [entry.name]
    c.s.MergeUnits(opb.MergeUnitsRequest(target=v2, sources=[v1], reason="撤并"), metadata=c.admin)
    c.sync()
    assert ranked(v1) == {} and counted(v1) == 0  # the merged village holds nobody now
    assert ranked(v2)[moved] == 9 and counted(v2) == 2 and counted(c.station.name) == 5
    clerk_of_target = c.as_clerk(v2, "clerk-2")  # the target's clerk now records for the arrivals
    assert c.record(moved, "STUDY", md=clerk_of_target).unit == v2
    assert c.balance(moved).balance == 10 and c.verify().ok
