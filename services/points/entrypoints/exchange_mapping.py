"""Proto <-> domain for the exchange's messages (points_exchange.proto)."""

from __future__ import annotations

from partybuilding.points.v1 import points_exchange_pb2 as xpb

from services.common.tenancy import check_same_county, etag_of
from services.points.domain.exchange import Goods, Redemption, Store, Wallet
from services.points.domain.names import (
    GOODS,
    goods_name,
    member_name,
    redemption_name,
    store_name,
    unit_name,
)
from services.points.entrypoints.mapping import ts


def store_to_proto(tenant: str, store: Store) -> xpb.Store:
    return xpb.Store(name=store_name(tenant, store.id), display_name=store.display_name,
                     unit=unit_name(tenant, store.unit_id), etag=etag_of(store.version),
                     create_time=ts(store.created_at))


def goods_to_proto(tenant: str, goods: Goods) -> xpb.Goods:
    return xpb.Goods(name=goods_name(tenant, goods.store_id, goods.id), display_name=goods.display_name,
                     price_points=goods.price_points, stock=goods.stock, on_sale=goods.on_sale,
                     etag=etag_of(goods.version), create_time=ts(goods.created_at), update_time=ts(goods.updated_at))


def wallet_to_proto(tenant: str, wallet: Wallet) -> xpb.Wallet:
    return xpb.Wallet(member=member_name(tenant, wallet.member_id), earned=wallet.earned, spent=wallet.spent,
                      spendable=wallet.spendable)


def redemption_to_proto(tenant: str, r: Redemption) -> xpb.Redemption:
    return xpb.Redemption(
        name=redemption_name(tenant, r.id), member=member_name(tenant, r.member_id),
        goods=goods_name(tenant, r.store_id, r.goods_id), store=store_name(tenant, r.store_id),
        goods_display_name=r.goods_display_name, quantity=r.quantity, price_points=r.price_points, points=r.points,
        state=xpb.Redemption.State.Value(r.state.value), redeemed_by=r.redeemed_by, redeem_time=ts(r.redeemed_at),
        note=r.note, cancelled_by=r.cancelled_by, cancel_time=ts(r.cancelled_at), cancel_reason=r.cancel_reason,
    )


def goods_in(name: str, tenant: str, field_path: str) -> tuple[str, str]:
    """(store id, goods id) of goods named in a request of `tenant`'s county."""
    goods = GOODS.parse(name, field_path)
    check_same_county(goods.tenant, tenant, field_path)
    return goods.parent_id, goods.id
