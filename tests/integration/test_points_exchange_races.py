"""Concurrent redemptions on PostgreSQL: the stock never goes below zero, the wallet is never overspent."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from partybuilding.points.v1 import points_exchange_pb2 as xpb

from tests.integration.exchange_shop import Shop, credit

CLIENTS = 16


@pytest.fixture
def shop(platform):
    if platform.backend != "postgres":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): no race to lose")
    return Shop(platform)


def _race(shop, requests) -> list:
    """Start every Redeem at once; each result is the redemption or the error's reason."""
    start = threading.Barrier(len(requests))

    def one(request):
        start.wait()
        try:
            return shop.s.Redeem(request, metadata=shop.admin)
        except grpc.RpcError as err:
            assert err.code() == grpc.StatusCode.FAILED_PRECONDITION, err.details()
            return err.code()

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(one, requests))


def test_sixteen_clients_on_the_last_items_and_one_wallet(platform, shop):
    credit(platform, shop.code, shop.member, 75)
    credit(platform, shop.code, shop.other_member, 1000)
    rice = shop.goods("大米", price=10, stock=100)
    # The other member empties the oil (5 left) while the first member's wallet pays for rice.
    requests = [xpb.RedeemRequest(member=shop.other_member, goods=shop.oil.name, quantity=1) for _ in range(8)]
    requests += [xpb.RedeemRequest(member=shop.member, goods=rice.name, quantity=1) for _ in range(8)]
    results = _race(shop, requests)
    assert len(requests) == CLIENTS
    made = [r for r in results if isinstance(r, xpb.Redemption)]
    oil_taken = sum(r.quantity for r in made if r.goods == shop.oil.name)
    assert oil_taken == 5 and shop.stock() == 0
    assert shop.stock(rice.name) == 100 - sum(r.quantity for r in made if r.goods == rice.name)
    for member in (shop.member, shop.other_member):
        wallet = shop.wallet(member)
        assert wallet.spendable >= 0
        assert wallet.spent == sum(r.points for r in made if r.member == member)
    assert shop.wallet().spent == 70  # 7 of the 8 rice redemptions fit in 75 points
    listed = shop.s.ListRedemptions(xpb.ListRedemptionsRequest(parent=shop.county.parent, page_size=100),
                                    metadata=shop.admin).redemptions
    assert sorted(r.name for r in listed) == sorted(r.name for r in made)
