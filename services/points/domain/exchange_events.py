"""Events of the points exchange; each mirrors `<Name>Event` in points_events.proto field for field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GoodsRestocked:
    """A delivery reached a store's shelf (the stock's audit trail)."""

    goods: str
    quantity: int
    stock: int
    restocked_by: str


@dataclass(frozen=True)
class RedemptionMade:
    redemption: str
    member: str
    goods: str
    quantity: int
    points: int
    redeemed_by: str


@dataclass(frozen=True)
class RedemptionCancelled:
    redemption: str
    member: str
    goods: str
    quantity: int
    points: int
    cancelled_by: str
    reason: str
