"""The wallet and the ledger together: counted entries credit it, reversals take back, and spending
never moves the evaluative balance."""

from __future__ import annotations

import grpc
import pytest
from partybuilding.points.v1 import points_exchange_pb2 as xpb

from tests.helpers import expect
from tests.integration.ledger_setup import LedgerCounty


@pytest.fixture
def county(platform):
    return LedgerCounty(platform)


def test_counted_entries_feed_the_wallet_and_spending_leaves_the_balance(platform, county):
    points, member = county.points, county.members[0].name
    county.record(member, "ABSENT")  # 12 - 2: no exchange points
    award = county.record(member, "URGENT")  # +2 to the balance, 5 spendable points
    wallet = points.GetWallet(xpb.GetWalletRequest(member=member), metadata=county.admin)
    assert (wallet.earned, wallet.spent, wallet.spendable) == (5, 0, 5)
    before = county.balance(member)
    store = points.CreateStore(xpb.CreateStoreRequest(parent=county.parent, store=xpb.Store(
        display_name="村0爱心超市", unit=county.villages[0].name)), metadata=county.admin)
    soap = points.CreateGoods(xpb.CreateGoodsRequest(parent=store.name, goods=xpb.Goods(
        display_name="肥皂", price_points=2, stock=10)), metadata=county.admin)
    points.Redeem(xpb.RedeemRequest(member=member, goods=soap.name, quantity=2), metadata=county.clerk)
    assert points.GetWallet(xpb.GetWalletRequest(member=member), metadata=county.admin).spendable == 1
    after = county.balance(member)
    assert (after.balance, after.status) == (before.balance, before.status) and after.balance == 12
    # An appeal reverses the award: its exchange points leave the wallet too, which now owes 4.
    county.reverse(award.name)
    wallet = points.GetWallet(xpb.GetWalletRequest(member=member), metadata=county.admin)
    assert (wallet.earned, wallet.spent, wallet.spendable) == (0, 4, -4)
    expect(grpc.StatusCode.FAILED_PRECONDITION, points.Redeem, xpb.RedeemRequest(
        member=member, goods=soap.name, quantity=1), metadata=county.clerk, reason="WALLET_INSUFFICIENT")
    assert county.verify().ok
