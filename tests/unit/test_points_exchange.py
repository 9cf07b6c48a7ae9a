"""Points exchange rules: prices, stock, quantities, and why a redemption is refused."""

from __future__ import annotations

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument, Validator
from services.points.domain import exchange
from services.points.domain.exchange import Goods, Wallet


def goods(price: int = 10, stock: int = 5, on_sale: bool = True) -> Goods:
    return Goods(id="g1", store_id="s1", display_name="食用油", price_points=price, stock=stock, on_sale=on_sale)


def problems(check, value) -> list[str]:
    v = Validator()
    check(v, value, "goods.price_points")
    return [violation.en for violation in v.violations]


@pytest.mark.parametrize("price,ok", [(1, True), (exchange.MAX_PRICE_POINTS, True), (0, False), (-5, False),
                                      (exchange.MAX_PRICE_POINTS + 1, False)])
def test_price_is_positive_and_bounded(price, ok):
    assert (problems(exchange.check_price, price) == []) is ok


@pytest.mark.parametrize("stock,ok", [(0, True), (exchange.MAX_STOCK, True), (-1, False),
                                      (exchange.MAX_STOCK + 1, False)])
def test_initial_stock_may_be_zero_never_negative(stock, ok):
    assert (problems(exchange.check_initial_stock, stock) == []) is ok


@pytest.mark.parametrize("quantity,ok", [(1, True), (100, True), (0, False), (-1, False), (101, False)])
def test_quantity_positive_and_bounded(quantity, ok):
    v = Validator()
    exchange.check_quantity(v, quantity, "quantity", exchange.MAX_REDEEM_QUANTITY)
    assert (v.violations == []) is ok
    if not ok:
        assert v.violations[0].field == "quantity" and v.violations[0].zh.startswith("数量")


def test_wallet_spendable_is_earned_less_spent_and_may_be_owed():
    assert Wallet("m1", earned=30, spent=12).spendable == 18
    assert Wallet("m1", earned=5, spent=12).spendable == -7  # a credit reversed after spending


def test_redeem_charges_price_times_quantity():
    assert exchange.check_redeemable(goods(price=7), Wallet("m1", earned=21), 3) == 21


def test_short_wallet_names_the_shortfall():
    with pytest.raises(FailedPrecondition) as info:
        exchange.check_redeemable(goods(price=10), Wallet("m1", earned=25, spent=0), 3)
    error = info.value
    assert error.reason == "WALLET_INSUFFICIENT"
    assert error.metadata == {"required": "30", "spendable": "25", "shortfall": "5"}
    assert "还差5分" in error.zh and "5 short" in error.en


def test_short_stock_is_refused_before_the_wallet():
    with pytest.raises(FailedPrecondition) as info:
        exchange.check_redeemable(goods(stock=2), Wallet("m1"), 3)
    assert info.value.reason == "OUT_OF_STOCK" and "仅剩2件" in info.value.zh


def test_goods_off_sale_cannot_be_redeemed():
    with pytest.raises(FailedPrecondition) as info:
        exchange.check_redeemable(goods(on_sale=False), Wallet("m1", earned=100), 1)
    assert info.value.reason == "GOODS_NOT_ON_SALE" and "已下架" in info.value.zh


def test_restock_is_positive_and_bounded_by_the_stock_limit():
    exchange.check_restock(goods(stock=5), 10)
    with pytest.raises(InvalidArgument) as info:
        exchange.check_restock(goods(stock=5), 0)
    assert info.value.violations[0].field == "quantity"
    with pytest.raises(InvalidArgument) as info:
        exchange.check_restock(goods(stock=exchange.MAX_STOCK - 1), 2)
    assert info.value.reason == "STOCK_LIMIT_EXCEEDED"


@pytest.mark.parametrize("unit_type,ok", [("VILLAGE", True), ("COMMUNITY", True), ("TOWNSHIP", False),
                                          ("PARTY_GROUP", False)])
def test_store_serves_a_village_or_community(unit_type, ok):
    if ok:
        exchange.check_store_unit(unit_type, "东村", "store.unit")
    else:
        with pytest.raises(InvalidArgument) as info:
            exchange.check_store_unit(unit_type, "东村", "store.unit")
        assert info.value.violations[0].field == "store.unit" and "东村" in info.value.zh


def test_a_redemption_is_cancelled_once():
    redemption = exchange.Redemption(
        id="r1", member_id="m1", member_unit_id="u1", store_id="s1", goods_id="g1", goods_display_name="食用油", quantity=1,
        price_points=10, points=10, state=exchange.RedemptionState.REDEEMED, redeemed_by="clerk",
        redeemed_at=None)
    exchange.check_cancellable(redemption)
    redemption.state = exchange.RedemptionState.CANCELLED
    with pytest.raises(FailedPrecondition) as info:
        exchange.check_cancellable(redemption)
    assert info.value.reason == "REDEMPTION_ALREADY_CANCELLED"
