"""The points exchange (爱心超市) through gRPC: stores, goods, wallets, Redeem, cancellations."""

from __future__ import annotations

import grpc
import pytest
from partybuilding.points.v1 import points_exchange_pb2 as xpb
from partybuilding.points.v1 import points_service_pb2 as points_pb

from tests.helpers import County, expect
from tests.integration.exchange_shop import Shop, credit, outbox_types

INVALID = grpc.StatusCode.INVALID_ARGUMENT
REFUSED = grpc.StatusCode.FAILED_PRECONDITION
DENIED = grpc.StatusCode.PERMISSION_DENIED


@pytest.fixture
def shop(platform):
    return Shop(platform)


def test_redeem_spends_the_wallet_and_the_stock(platform, shop):
    credit(platform, shop.code, shop.member, 50)
    assert shop.wallet() == xpb.Wallet(member=shop.member, earned=50, spent=0, spendable=50)
    made = shop.redeem(3, note="春节慰问")
    assert (made.quantity, made.price_points, made.points, made.state) == (3, 10, 30, xpb.Redemption.REDEEMED)
    assert made.member == shop.member and made.goods == shop.oil.name and made.store == shop.store.name
    assert made.goods_display_name == "食用油" and made.note == "春节慰问" and made.redeemed_by
    assert shop.wallet() == xpb.Wallet(member=shop.member, earned=50, spent=30, spendable=20)
    assert shop.stock() == 2
    listed = shop.s.ListRedemptions(xpb.ListRedemptionsRequest(parent=shop.county.parent, member=shop.member),
                                    metadata=shop.admin).redemptions
    assert [r.name for r in listed] == [made.name]
    assert "points.redemption_made" in outbox_types(platform, shop.code)


def test_a_ledger_entry_credits_once(platform, shop):
    entry = credit(platform, shop.code, shop.member, 8)
    credit(platform, shop.code, shop.member, 8, entry_id=entry)
    credit(platform, shop.code, shop.member, -3)  # a reversal's negative exchange points
    assert shop.wallet().spendable == 5


def test_retry_answers_the_first_redemption_and_charges_once(platform, shop):
    credit(platform, shop.code, shop.member, 50)
    first = shop.redeem(2, request_id="counter-1")
    again = shop.redeem(2, request_id="counter-1")
    assert again.name == first.name
    assert shop.wallet().spent == 20 and shop.stock() == 3
    expect(INVALID, shop.redeem, 3, request_id="counter-1", field="request_id", reason="REQUEST_ID_REUSED")
    assert shop.wallet().spent == 20 and shop.stock() == 3


def test_short_wallet_and_short_stock_are_refused_with_nothing_written(platform, shop):
    credit(platform, shop.code, shop.member, 25)
    d = expect(REFUSED, shop.redeem, 3, reason="WALLET_INSUFFICIENT")
    assert "还差5分" in d.zh
    d = expect(REFUSED, shop.redeem, 6, reason="OUT_OF_STOCK")
    assert "仅剩5件" in d.zh
    expect(REFUSED, shop.redeem, 1, member=shop.other_member, reason="WALLET_INSUFFICIENT")  # never credited
    assert shop.wallet().spent == 0 and shop.stock() == 5
    assert shop.s.ListRedemptions(xpb.ListRedemptionsRequest(parent=shop.county.parent),
                                  metadata=shop.admin).redemptions == []


def test_bad_input_names_the_field(platform, shop):
    credit(platform, shop.code, shop.member, 50)
    for quantity in (0, -1, 101):
        expect(INVALID, shop.redeem, quantity, field="quantity")
    expect(INVALID, shop.redeem, 1, note="换行\n不行", field="note")
    expect(INVALID, shop.redeem, 1, goods=f"{shop.store.name}/goods", field="goods")
    expect(INVALID, shop.redeem, 1, member="tenants/x/members/m", field="member")
    expect(grpc.StatusCode.NOT_FOUND, shop.redeem, 1, goods=f"{shop.store.name}/goods/g-none")
    expect(grpc.StatusCode.NOT_FOUND, shop.redeem, 1, member=f"{shop.county.parent}/members/m-none")
    for fields, field in [({"price_points": 0}, "goods.price_points"), ({"price_points": -3}, "goods.price_points"),
                          ({"price_points": 10**9}, "goods.price_points"), ({"stock": -1}, "goods.stock"),
                          ({"display_name": ""}, "goods.display_name"),
                          ({"display_name": "油\u202e"}, "goods.display_name")]:
        goods = {"display_name": "米", "price_points": 5, "stock": 1, **fields}
        expect(INVALID, shop.s.CreateGoods, xpb.CreateGoodsRequest(parent=shop.store.name, goods=xpb.Goods(**goods)),
               metadata=shop.admin, field=field)
    expect(INVALID, shop.s.CreateStore, xpb.CreateStoreRequest(parent=shop.county.parent, store=xpb.Store(
        display_name="镇超市", unit=shop.town.name)), metadata=shop.admin, field="store.unit", reason="STORE_UNIT_TYPE")
    expect(INVALID, shop.s.CreateStore, xpb.CreateStoreRequest(parent=shop.county.parent, store=xpb.Store(
        display_name="", unit="")), metadata=shop.admin, field="store.display_name")
    expect(INVALID, shop.s.RestockGoods, xpb.RestockGoodsRequest(name=shop.oil.name, quantity=0), metadata=shop.admin,
           field="quantity")
    assert shop.stock() == 5 and shop.wallet().spent == 0


def test_goods_off_sale_and_etag_on_update(platform, shop):
    credit(platform, shop.code, shop.member, 100)
    bought = shop.redeem(1)
    update = shop.s.UpdateGoods
    dearer = update(xpb.UpdateGoodsRequest(goods=xpb.Goods(name=shop.oil.name, price_points=12, etag=shop.oil.etag),
                                           update_mask={"paths": ["price_points"]}), metadata=shop.admin)
    assert dearer.price_points == 12 and dearer.etag != shop.oil.etag and dearer.stock == 4
    expect(grpc.StatusCode.ABORTED, update, xpb.UpdateGoodsRequest(
        goods=xpb.Goods(name=shop.oil.name, display_name="旧油", etag=shop.oil.etag),
        update_mask={"paths": ["display_name"]}), metadata=shop.admin, reason="ETAG_MISMATCH")
    expect(INVALID, update, xpb.UpdateGoodsRequest(goods=xpb.Goods(name=shop.oil.name, stock=99),
                                             update_mask={"paths": ["stock"]}), metadata=shop.admin,
           field="update_mask")
    off = update(xpb.UpdateGoodsRequest(goods=xpb.Goods(name=shop.oil.name, on_sale=False, etag=dearer.etag),
                                        update_mask={"paths": ["on_sale"]}), metadata=shop.admin)
    assert not off.on_sale
    expect(REFUSED, shop.redeem, 1, reason="GOODS_NOT_ON_SALE")
    on_sale = shop.s.ListGoods(xpb.ListGoodsRequest(parent=shop.store.name, on_sale_only=True), metadata=shop.admin)
    assert list(on_sale.goods) == []
    # What was redeemed keeps the price it was redeemed at.
    listed = shop.s.ListRedemptions(xpb.ListRedemptionsRequest(parent=shop.county.parent), metadata=shop.admin)
    assert [(r.name, r.price_points) for r in listed.redemptions] == [(bought.name, 10)]


def test_restock_adds_once_per_request_and_is_audited(platform, shop):
    request = xpb.RestockGoodsRequest(name=shop.oil.name, quantity=7, request_id="delivery-1")
    assert shop.s.RestockGoods(request, metadata=shop.admin).stock == 12
    assert shop.s.RestockGoods(request, metadata=shop.admin).stock == 12
    assert shop.stock() == 12
    assert outbox_types(platform, shop.code).count("points.goods_restocked") == 1


def test_cancel_returns_points_and_stock_once(platform, shop):
    credit(platform, shop.code, shop.member, 30)
    made = shop.redeem(2)
    cancel = xpb.CancelRedemptionRequest(name=made.name, reason="商品有破损")
    cancelled = shop.s.CancelRedemption(cancel, metadata=shop.admin)
    assert cancelled.state == xpb.Redemption.CANCELLED and cancelled.cancel_reason == "商品有破损"
    assert shop.wallet().spendable == 30 and shop.stock() == 5
    expect(REFUSED, shop.s.CancelRedemption, cancel, metadata=shop.admin, reason="REDEMPTION_ALREADY_CANCELLED")
    expect(INVALID, shop.s.CancelRedemption, xpb.CancelRedemptionRequest(name=made.name), metadata=shop.admin,
           field="reason")
    assert shop.wallet().spendable == 30 and shop.stock() == 5
    assert "points.redemption_cancelled" in outbox_types(platform, shop.code)


def test_listings_page(platform, shop):
    credit(platform, shop.code, shop.member, 100)
    made = [shop.redeem(1) for _ in range(3)]
    page = shop.s.ListRedemptions(xpb.ListRedemptionsRequest(parent=shop.county.parent, page_size=2),
                                  metadata=shop.admin)
    rest = shop.s.ListRedemptions(xpb.ListRedemptionsRequest(parent=shop.county.parent, page_size=2,
                                                             page_token=page.next_page_token), metadata=shop.admin)
    listed = [r.name for r in list(page.redemptions) + list(rest.redemptions)]
    assert sorted(listed) == sorted(r.name for r in made) and listed == sorted(listed, reverse=True)  # newest first
    assert not rest.next_page_token
    expect(INVALID, shop.s.ListRedemptions, xpb.ListRedemptionsRequest(parent=shop.county.parent, page_size=2,
                                                                 member=shop.member,
                                                                 page_token=page.next_page_token),
           metadata=shop.admin, field="page_token")
    shop.goods("大米", price=20, stock=3)
    goods = shop.s.ListGoods(xpb.ListGoodsRequest(parent=shop.store.name, page_size=1), metadata=shop.admin)
    more = shop.s.ListGoods(xpb.ListGoodsRequest(parent=shop.store.name, page_size=1,
                                                 page_token=goods.next_page_token), metadata=shop.admin)
    assert {g.display_name for g in list(goods.goods) + list(more.goods)} == {"食用油", "大米"}
    stores = shop.s.ListStores(xpb.ListStoresRequest(parent=shop.county.parent, under=shop.v2.name),
                               metadata=shop.admin).stores
    assert list(stores) == []
    stores = shop.s.ListStores(xpb.ListStoresRequest(parent=shop.county.parent, under=shop.town.name),
                               metadata=shop.admin).stores
    assert [s.name for s in stores] == [shop.store.name]


def test_clerks_serve_their_own_subtree(platform, shop):
    credit(platform, shop.code, shop.member, 50)
    credit(platform, shop.code, shop.other_member, 50)
    own, other = shop.clerk(shop.v1), shop.clerk(shop.v2)
    made = shop.redeem(1, md=own)
    assert made.redeemed_by
    expect(DENIED, shop.redeem, 1, md=other, reason="OUTSIDE_CLERK_SUBTREE")  # member and store of village 1
    expect(DENIED, shop.redeem, 1, member=shop.other_member, md=own, reason="OUTSIDE_CLERK_SUBTREE")  # member of village 2
    expect(DENIED, shop.s.CreateStore, xpb.CreateStoreRequest(parent=shop.county.parent, store=xpb.Store(
        display_name="西村爱心超市", unit=shop.v1.name)), metadata=other, reason="OUTSIDE_CLERK_SUBTREE")
    expect(DENIED, shop.goods, "糖", 3, 3, md=other, reason="OUTSIDE_CLERK_SUBTREE")
    expect(DENIED, shop.s.RestockGoods, xpb.RestockGoodsRequest(name=shop.oil.name, quantity=1), metadata=other,
           reason="OUTSIDE_CLERK_SUBTREE")
    expect(DENIED, shop.s.GetWallet, xpb.GetWalletRequest(member=shop.member), metadata=other)
    expect(DENIED, shop.s.CancelRedemption, xpb.CancelRedemptionRequest(name=made.name, reason="错"), metadata=other)
    expect(DENIED, shop.s.ListRedemptions, xpb.ListRedemptionsRequest(parent=shop.county.parent, member=shop.member),
           metadata=other)
    unfiltered = shop.s.ListRedemptions(xpb.ListRedemptionsRequest(parent=shop.county.parent), metadata=other)
    assert list(unfiltered.redemptions) == []
    mine = shop.s.ListRedemptions(xpb.ListRedemptionsRequest(parent=shop.county.parent), metadata=own)
    assert [r.name for r in mine.redemptions] == [made.name]
    assert shop.wallet().spent == 10 and shop.wallet(shop.other_member).spent == 0


def test_another_countys_goods_or_member_is_denied_before_validation(platform, shop):
    other = Shop(platform)
    credit(platform, shop.code, shop.member, 50)
    expect(DENIED, shop.redeem, 0, goods=other.oil.name, reason="TENANT_ACCESS_DENIED")
    expect(DENIED, shop.redeem, 0, member=other.member, reason="TENANT_ACCESS_DENIED")
    expect(DENIED, shop.s.CreateStore, xpb.CreateStoreRequest(parent=shop.county.parent, store=xpb.Store(
        display_name="", unit=other.v1.name)), metadata=shop.admin, reason="TENANT_ACCESS_DENIED")
    expect(DENIED, shop.s.ListStores, xpb.ListStoresRequest(parent=shop.county.parent, under=other.town.name),
           metadata=shop.admin, reason="TENANT_ACCESS_DENIED")
    expect(DENIED, shop.s.ListRedemptions, xpb.ListRedemptionsRequest(parent=shop.county.parent, member=other.member),
           metadata=shop.admin, reason="TENANT_ACCESS_DENIED")
    # An operator sees both counties: the mismatch is the request's fault.
    expect(INVALID, shop.redeem, 1, goods=other.oil.name, md=platform.operator(), field="goods")
    assert other.stock() == 5 and shop.wallet().spent == 0


def test_tenant_isolation_on_every_exchange_rpc(platform, shop):
    intruder = County(platform).admin
    r = xpb
    redemption = (credit(platform, shop.code, shop.member, 10), shop.redeem(1))[1]
    cases = {
        "CreateStore": r.CreateStoreRequest(parent=shop.county.parent, store=r.Store(display_name="x", unit=shop.v1.name)),
        "ListStores": r.ListStoresRequest(parent=shop.county.parent),
        "CreateGoods": r.CreateGoodsRequest(parent=shop.store.name, goods=r.Goods(display_name="x", price_points=1)),
        "UpdateGoods": r.UpdateGoodsRequest(goods=r.Goods(name=shop.oil.name, price_points=1),
                                            update_mask={"paths": ["price_points"]}),
        "RestockGoods": r.RestockGoodsRequest(name=shop.oil.name, quantity=1),
        "ListGoods": r.ListGoodsRequest(parent=shop.store.name),
        "GetWallet": r.GetWalletRequest(member=shop.member),
        "Redeem": r.RedeemRequest(member=shop.member, goods=shop.oil.name, quantity=1),
        "ListRedemptions": r.ListRedemptionsRequest(parent=shop.county.parent),
        "CancelRedemption": r.CancelRedemptionRequest(name=redemption.name, reason="x"),
    }
    service = points_pb.DESCRIPTOR.services_by_name["PointsService"]
    assert set(cases) == {m.name for m in service.methods if m.input_type.file.name == xpb.DESCRIPTOR.name}
    for method, request in cases.items():
        expect(DENIED, getattr(shop.s, method), request, metadata=intruder, reason="TENANT_ACCESS_DENIED")
    assert shop.stock() == 4 and shop.wallet().spent == 10


def test_a_member_transferred_out_keeps_a_read_only_wallet(platform, shop):
    credit(platform, shop.code, shop.member, 50)
    member_id = shop.member.rsplit("/", 1)[-1]
    with platform.runtime("points").uow_factory(shop.code) as uow:
        known = uow.directory.member(member_id)
        uow.directory.apply_members([type(known)(**{**known.__dict__, "state": "TRANSFERRED_OUT",
                                                     "version": known.version + 1})])
        uow.commit()
    expect(REFUSED, shop.redeem, 1, reason="MEMBER_TRANSFERRED_OUT")
    assert shop.wallet().spendable == 50


def test_a_member_new_to_the_organization_is_served_at_once(platform, shop):
    newcomer = shop.county.member(shop.v1.name, "赵六").name  # not yet in the points directory: read through
    assert shop.wallet(newcomer) == xpb.Wallet(member=newcomer)
    credit(platform, shop.code, newcomer, 10)
    assert shop.redeem(1, member=newcomer).points == 10
    assert shop.wallet(newcomer).spendable == 0
