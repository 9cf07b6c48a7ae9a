"""Commands of the points exchange (爱心超市): stores, goods, wallets, redemptions.

A listing's filter fields (all but `tenant`, `page_size` and `page_token`) are the key its page
tokens are bound to (pagination.Page).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CreateStore:
    tenant: str
    display_name: str
    unit_id: str
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class ListStores:
    tenant: str
    under_id: str | None = None
    page_size: int = 0
    page_token: str = ""


@dataclass
class CreateGoods:
    tenant: str
    store_id: str
    display_name: str
    price_points: int
    stock: int
    on_sale: bool = True
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class UpdateGoods:
    tenant: str
    store_id: str
    goods_id: str
    changes: dict  # field path -> new value
    etag: str = ""


@dataclass
class RestockGoods:
    tenant: str
    store_id: str
    goods_id: str
    quantity: int
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class ListGoods:
    tenant: str
    store_id: str
    on_sale_only: bool = False
    page_size: int = 0
    page_token: str = ""


@dataclass
class GetWallet:
    tenant: str
    member_id: str


@dataclass
class Redeem:
    tenant: str
    member_id: str
    store_id: str
    goods_id: str
    quantity: int
    note: str = ""
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class ListRedemptions:
    tenant: str
    member_id: str | None = None
    store_id: str | None = None
    page_size: int = 0
    page_token: str = ""


@dataclass
class CancelRedemption:
    tenant: str
    redemption_id: str
    reason: str = ""
    request_id: str = ""
    fingerprint: str = ""
