"""pbctl points: the points exchange (爱心超市) from a shell: stores, goods, wallets, redemptions.

Clients of PointsService's Exchange RPCs, with the token in $TOKEN (see `pbctl dev-token`).
Resources are given by their names (tenants/610222/stores/st-..., .../goods/g-...,
tenants/610222/members/m-...), as the listings print them.
"""

from __future__ import annotations

import click

from services.common.tenancy import tenant_name, tenant_of
from services.pbctl.org import table
from services.pbctl.points import INT32, points
from services.pbctl.settings import REQUEST_ID, TARGET, channel, fail, token_metadata

TIMEOUT_SECONDS = 30


def _call(target: str, method: str, request, tenant: str = "", request_id: str = ""):
    """One PointsService call; an error is printed as its code and message, exit status 1 (2: bad input)."""
    import grpc
    from partybuilding.points.v1 import points_service_pb2_grpc as pb_grpc

    with channel(target, request_id) as opened:
        stub = pb_grpc.PointsServiceStub(opened)
        try:
            return getattr(stub, method)(request, metadata=token_metadata(tenant), timeout=TIMEOUT_SECONDS)
        except grpc.RpcError as err:
            lost = err.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
            retry = getattr(request, "request_id", "")
            fail(f"{err.code().name}: {err.details()}" + (
                f"\n重试请用 / to retry without doing it twice: --request-id {retry}" if lost and retry else ""),
                 2 if err.code() is grpc.StatusCode.INVALID_ARGUMENT else 1)


def _all(target: str, method: str, field: str, request, tenant: str, limit: int) -> list:
    found = []
    while len(found) < limit:
        request.page_size = min(limit, 1000)
        resp = _call(target, method, request, tenant)
        found += getattr(resp, field)
        request.page_token = resp.next_page_token
        if not request.page_token:
            break
    return found[:limit]


def _goods_line(g) -> list[str]:
    return [g.display_name, str(g.price_points), str(g.stock), "在售 on sale" if g.on_sale else "下架 off", g.name]


@points.command("create-store")
@click.option("--unit", required=True, help="The village or community served: tenants/CODE/units/ID.")
@click.option("--name", "display_name", required=True, help="The store's name, e.g. 东村爱心超市.")
@REQUEST_ID
@TARGET
def create_store(unit: str, display_name: str, request_id: str, target: str) -> None:
    """Open a community store (爱心超市) for a village or community."""
    from partybuilding.points.v1 import points_exchange_pb2 as xpb

    tenant = tenant_of(unit) or fail("--unit: 应为 tenants/CODE/units/ID / must be tenants/CODE/units/ID", 2)
    request = xpb.CreateStoreRequest(parent=tenant_name(tenant), store=xpb.Store(display_name=display_name, unit=unit))
    store = _call(target, "CreateStore", request, tenant, request_id)
    click.echo(f"{store.name}\t{store.display_name}\t{store.unit}")


@points.command("stores")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@click.option("--under", default="", help="Only stores in this unit's subtree (tenants/CODE/units/ID).")
@click.option("--limit", default=1000, show_default=True)
@TARGET
def stores(tenant: str, under: str, limit: int, target: str) -> None:
    """List the county's community stores."""
    from partybuilding.points.v1 import points_exchange_pb2 as xpb

    found = _all(target, "ListStores", "stores", xpb.ListStoresRequest(parent=tenant_name(tenant), under=under),
                 tenant, limit)
    click.echo(table(["名称 name", "服务组织 unit", "store"], [[s.display_name, s.unit, s.name] for s in found]))


@points.command("create-goods")
@click.option("--store", required=True, help="tenants/CODE/stores/ID")
@click.option("--name", "display_name", required=True, help="e.g. 食用油 5L")
@click.option("--price", type=INT32, required=True, help="Spendable points per item, > 0.")
@click.option("--stock", type=INT32, default=0, show_default=True, help="Items on the shelf now.")
@REQUEST_ID
@TARGET
def create_goods(store: str, display_name: str, price: int, stock: int, request_id: str, target: str) -> None:
    """Put a new item on a store's shelf."""
    from partybuilding.points.v1 import points_exchange_pb2 as xpb

    request = xpb.CreateGoodsRequest(parent=store, goods=xpb.Goods(display_name=display_name, price_points=price,
                                                                   stock=stock))
    click.echo("\t".join(_goods_line(_call(target, "CreateGoods", request, tenant_of(store) or "", request_id))))


@points.command("goods")
@click.option("--store", required=True, help="tenants/CODE/stores/ID")
@click.option("--on-sale", is_flag=True, help="Only goods on sale.")
@click.option("--limit", default=1000, show_default=True)
@TARGET
def goods(store: str, on_sale: bool, limit: int, target: str) -> None:
    """List a store's goods: price, stock, on sale."""
    from partybuilding.points.v1 import points_exchange_pb2 as xpb

    found = _all(target, "ListGoods", "goods", xpb.ListGoodsRequest(parent=store, on_sale_only=on_sale),
                 tenant_of(store) or "", limit)
    click.echo(table(["商品 goods", "积分 price", "库存 stock", "状态 state", "name"], [_goods_line(g) for g in found]))


@points.command("restock")
@click.argument("goods_name")
@click.option("--quantity", type=INT32, required=True, help="Items delivered, > 0.")
@REQUEST_ID
@TARGET
def restock(goods_name: str, quantity: int, request_id: str, target: str) -> None:
    """Add a delivery to the stock of GOODS_NAME (tenants/CODE/stores/ID/goods/ID)."""
    from partybuilding.points.v1 import points_exchange_pb2 as xpb

    request = xpb.RestockGoodsRequest(name=goods_name, quantity=quantity)
    click.echo("\t".join(_goods_line(_call(target, "RestockGoods", request, tenant_of(goods_name) or "",
                                           request_id))))


@points.command("wallet")
@click.argument("member")
@TARGET
def wallet(member: str, target: str) -> None:
    """A member's spendable points (MEMBER: tenants/CODE/members/ID)."""
    from partybuilding.points.v1 import points_exchange_pb2 as xpb

    w = _call(target, "GetWallet", xpb.GetWalletRequest(member=member), tenant_of(member) or "")
    click.echo(f"可兑换 spendable {w.spendable}  (累计获得 earned {w.earned}, 已兑换 spent {w.spent})  {w.member}")


@points.command("redeem")
@click.option("--member", required=True, help="tenants/CODE/members/ID")
@click.option("--goods", "goods_name", required=True, help="tenants/CODE/stores/ID/goods/ID")
@click.option("--quantity", type=INT32, default=1, show_default=True)
@click.option("--note", default="")
@REQUEST_ID
@TARGET
def redeem(member: str, goods_name: str, quantity: int, note: str, request_id: str, target: str) -> None:
    """Hand goods to a member for points (a retry with the same --request-id charges once)."""
    from partybuilding.points.v1 import points_exchange_pb2 as xpb

    request = xpb.RedeemRequest(member=member, goods=goods_name, quantity=quantity, note=note)
    r = _call(target, "Redeem", request, tenant_of(member) or "", request_id)
    click.echo(f"{r.name}\t{r.goods_display_name} x{r.quantity}\t-{r.points}\trequest_id={request.request_id}")


@points.command("redemptions")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@click.option("--member", default="", help="Only this member's (tenants/CODE/members/ID).")
@click.option("--store", default="", help="Only this store's (tenants/CODE/stores/ID).")
@click.option("--limit", default=100, show_default=True)
@TARGET
def redemptions(tenant: str, member: str, store: str, limit: int, target: str) -> None:
    """List redemptions, newest first."""
    from partybuilding.points.v1 import points_exchange_pb2 as xpb

    request = xpb.ListRedemptionsRequest(parent=tenant_name(tenant), member=member, store=store)
    found = _all(target, "ListRedemptions", "redemptions", request, tenant, limit)
    rows = [[r.redeem_time.ToDatetime().strftime("%Y-%m-%d %H:%M"), r.goods_display_name, str(r.quantity),
             str(r.points), xpb.Redemption.State.Name(r.state), r.member, r.name] for r in found]
    click.echo(table(["时间 time (UTC)", "商品 goods", "数量 qty", "积分 points", "状态 state", "member", "name"], rows))


@points.command("cancel-redemption")
@click.argument("name")
@click.option("--reason", required=True, help="Why it is cancelled (recorded).")
@REQUEST_ID
@TARGET
def cancel_redemption(name: str, reason: str, request_id: str, target: str) -> None:
    """Cancel a redemption: its points go back to the wallet, its items to the shelf."""
    from partybuilding.points.v1 import points_exchange_pb2 as xpb

    r = _call(target, "CancelRedemption", xpb.CancelRedemptionRequest(name=name, reason=reason),
              tenant_of(name) or "", request_id)
    click.echo(f"{r.name}\t{xpb.Redemption.State.Name(r.state)}\t+{r.points}")
