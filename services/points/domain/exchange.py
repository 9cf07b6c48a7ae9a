"""Points exchange (爱心超市积分兑换): community stores, goods priced in points, member wallets.

A member's wallet holds spendable points, apart from the evaluative balance of the ledger:
credits come from COUNTED entries' `exchange_points` (a reversal credits a negative amount),
redemptions spend. Spending never touches the evaluative balance. Plain Python: no ORM, no
protobuf.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from services.common.errors import FailedPrecondition, InvalidArgument, Validator

# Bounds on what a clerk types: a price or a stock past these is a slip of the keyboard.
MAX_PRICE_POINTS = 100_000
MAX_STOCK = 1_000_000
MAX_RESTOCK = 100_000
# One counter visit: a member takes a few items, never a warehouse.
MAX_REDEEM_QUANTITY = 100

# The units a store may serve: 爱心超市 are run by a village or a community.
STORE_UNIT_TYPES = frozenset({"VILLAGE", "COMMUNITY"})


class RedemptionState(enum.StrEnum):
    REDEEMED = "REDEEMED"  # 已兑换
    CANCELLED = "CANCELLED"  # 已撤销：积分与库存已退回


@dataclass
class Store:
    """A community store (爱心超市) serving one village or community unit."""

    id: str
    unit_id: str
    display_name: str
    version: int = 1
    created_at: dt.datetime | None = None
    created_by: str = ""


@dataclass
class Goods:
    """An item on a store's shelf: a price in points and a stock that never goes below zero."""

    id: str
    store_id: str
    display_name: str
    price_points: int
    stock: int
    on_sale: bool = True
    version: int = 1
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@dataclass
class Wallet:
    """A member's spendable points (积分钱包): earned through credits, spent through redemptions.

    `earned` is net of reversals, so a reversal after spending can leave `spendable` below zero:
    the member owes those points, and later credits pay them back before anything is redeemed.
    """

    member_id: str
    earned: int = 0
    spent: int = 0
    version: int = 0

    @property
    def spendable(self) -> int:
        return self.earned - self.spent


@dataclass
class Redemption:
    """One redemption (兑换记录): the goods, the price paid per item, and who handed them over."""

    id: str
    member_id: str
    member_unit_id: str  # the member's unit when redeeming
    store_id: str
    goods_id: str
    goods_display_name: str
    quantity: int
    price_points: int
    points: int
    state: RedemptionState
    redeemed_by: str
    redeemed_at: dt.datetime
    note: str = ""
    cancelled_by: str = ""
    cancelled_at: dt.datetime | None = None
    cancel_reason: str = ""


def check_price(v: Validator, price: int, field_path: str) -> None:
    """A price is a whole number of points above zero, within MAX_PRICE_POINTS."""
    if price <= 0:
        v.add(field_path, "兑换所需积分必须大于0", "must be greater than 0 points")
    elif price > MAX_PRICE_POINTS:
        v.add(field_path, f"兑换所需积分不能超过{MAX_PRICE_POINTS}", f"must be at most {MAX_PRICE_POINTS} points")


def check_initial_stock(v: Validator, stock: int, field_path: str) -> None:
    """A new item's stock: zero (announced, not yet delivered) up to MAX_STOCK."""
    if stock < 0:
        v.add(field_path, "库存不能为负数", "must not be negative")
    elif stock > MAX_STOCK:
        v.add(field_path, f"库存不能超过{MAX_STOCK}", f"must be at most {MAX_STOCK}")


def check_quantity(v: Validator, quantity: int, field_path: str, maximum: int) -> None:
    """A count of items: a positive whole number, at most `maximum`."""
    if quantity <= 0:
        v.add(field_path, "数量必须大于0", "must be greater than 0")
    elif quantity > maximum:
        v.add(field_path, f"数量不能超过{maximum}", f"must be at most {maximum}")


def check_restock(goods: Goods, quantity: int, field_path: str = "quantity") -> None:
    """INVALID_ARGUMENT when a delivery is not a positive count or would push stock past MAX_STOCK."""
    v = Validator()
    check_quantity(v, quantity, field_path, MAX_RESTOCK)
    v.raise_if_any()
    if goods.stock + quantity > MAX_STOCK:
        raise InvalidArgument.field(
            field_path,
            f"补货后库存将为{goods.stock + quantity}，超过上限{MAX_STOCK}",
            f"stock would become {goods.stock + quantity}, over the limit of {MAX_STOCK}",
            "STOCK_LIMIT_EXCEEDED",
        )


def check_store_unit(unit_type: str, unit_display_name: str, field_path: str) -> None:
    """A store serves a village or a community, not a township or a Party group."""
    if unit_type not in STORE_UNIT_TYPES:
        raise InvalidArgument.field(
            field_path,
            f"爱心超市只能设在村或社区，“{unit_display_name}”不是村或社区",
            f"a store serves a village or a community; {unit_display_name!r} is a {unit_type}",
            "STORE_UNIT_TYPE",
        )


def redemption_cost(goods: Goods, quantity: int) -> int:
    """Points a redemption of `quantity` items costs at the goods' current price."""
    return goods.price_points * quantity


def out_of_stock(goods: Goods, quantity: int) -> FailedPrecondition:
    """The refusal when the shelf holds fewer than asked (also after a concurrent redemption)."""
    return FailedPrecondition(
        "OUT_OF_STOCK",
        f"“{goods.display_name}”库存不足：需要{quantity}件，仅剩{goods.stock}件",
        f"{goods.display_name!r} is short of stock: {quantity} asked, {goods.stock} left",
        {"requested": str(quantity), "stock": str(goods.stock)},
    )


def check_redeemable(goods: Goods, wallet: Wallet, quantity: int) -> int:
    """The cost of redeeming `quantity` of `goods` from `wallet`, or FAILED_PRECONDITION why not.

    Goods off the shelf first, then stock, then the wallet (with the shortfall), so the clerk
    at the counter learns the reason that no top-up of the wallet would cure first.
    """
    if not goods.on_sale:
        raise FailedPrecondition(
            "GOODS_NOT_ON_SALE",
            f"“{goods.display_name}”已下架，不能兑换",
            f"{goods.display_name!r} is not on sale",
        )
    if goods.stock < quantity:
        raise out_of_stock(goods, quantity)
    cost = redemption_cost(goods, quantity)
    if wallet.spendable < cost:
        shortfall = cost - wallet.spendable
        raise FailedPrecondition(
            "WALLET_INSUFFICIENT",
            f"可兑换积分不足：需要{cost}分，现有{wallet.spendable}分，还差{shortfall}分",
            f"not enough spendable points: {cost} needed, {wallet.spendable} available, {shortfall} short",
            {"required": str(cost), "spendable": str(wallet.spendable), "shortfall": str(shortfall)},
        )
    return cost


def check_cancellable(redemption: Redemption) -> None:
    """A redemption is cancelled once; a second cancel is refused, never a second refund."""
    if redemption.state is RedemptionState.CANCELLED:
        raise FailedPrecondition(
            "REDEMPTION_ALREADY_CANCELLED",
            "该兑换记录已撤销，积分和库存已退回",
            "the redemption was already cancelled; its points and stock were returned",
        )
