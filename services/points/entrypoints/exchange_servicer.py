"""The points exchange's RPCs (爱心超市: stores, goods, Redeem), mixed into PointsServicer.

Thin: proto -> command -> use case -> proto. Names a request carries besides the one its policy
rule checks (Redeem's goods, a listing's member or store filter) are authorized first here.
"""

from __future__ import annotations

from partybuilding.points.v1 import points_exchange_pb2 as xpb

from services.common.fieldmask import changes_from_mask
from services.common.grpc.interceptor import current_principal
from services.common.policy import check_names_visible
from services.points.domain.names import GOODS, MEMBERS, REDEMPTIONS, STORES, UNITS
from services.points.entrypoints import exchange_mapping as xm
from services.points.entrypoints.mapping import request_fingerprint, tenant_code
from services.points.service_layer import exchange, redemptions
from services.points.service_layer import exchange_commands as c


class ExchangeMethods:
    """Exchange RPCs of PointsService; `self.uows` is the servicer's unit-of-work factory."""

    def CreateStore(self, request, context):
        who = current_principal()
        check_names_visible(who, request.store.unit, write=True)
        code = tenant_code(request.parent, "parent")
        s = request.store
        cmd = c.CreateStore(code, s.display_name, UNITS.id_in(s.unit, code, "store.unit") if s.unit else "",
                            request.request_id, request_fingerprint(request))
        return xm.store_to_proto(code, exchange.create_store(cmd, self.uows, who))

    def ListStores(self, request, context):
        who = current_principal()
        check_names_visible(who, request.under, write=False)
        code = tenant_code(request.parent, "parent")
        cmd = c.ListStores(code, UNITS.id_in(request.under, code, "under") if request.under else None,
                           request.page_size, request.page_token)
        found, token = exchange.list_stores(cmd, self.uows, who)
        return xpb.ListStoresResponse(stores=[xm.store_to_proto(code, s) for s in found], next_page_token=token)

    def CreateGoods(self, request, context):
        store = STORES.parse(request.parent, "parent")
        g = request.goods
        cmd = c.CreateGoods(store.tenant, store.id, g.display_name, g.price_points, g.stock,
                            g.on_sale if g.HasField("on_sale") else True,
                            request.request_id, request_fingerprint(request))
        return xm.goods_to_proto(store.tenant, exchange.create_goods(cmd, self.uows, current_principal()))

    def UpdateGoods(self, request, context):
        goods = GOODS.parse(request.goods.name, "goods.name")
        changes = changes_from_mask(request.goods, request.update_mask.paths, elsewhere={
            "stock": ("（库存请用 RestockGoods）", " here (use RestockGoods to add stock)")})
        cmd = c.UpdateGoods(goods.tenant, goods.parent_id, goods.id, changes, request.goods.etag)
        return xm.goods_to_proto(goods.tenant, exchange.update_goods(cmd, self.uows, current_principal()))

    def RestockGoods(self, request, context):
        goods = GOODS.parse(request.name, "name")
        cmd = c.RestockGoods(goods.tenant, goods.parent_id, goods.id, request.quantity, request.request_id,
                             request_fingerprint(request))
        return xm.goods_to_proto(goods.tenant, exchange.restock_goods(cmd, self.uows, current_principal()))

    def ListGoods(self, request, context):
        store = STORES.parse(request.parent, "parent")
        cmd = c.ListGoods(store.tenant, store.id, request.on_sale_only, request.page_size, request.page_token)
        found, token = exchange.list_goods(cmd, self.uows, current_principal())
        return xpb.ListGoodsResponse(goods=[xm.goods_to_proto(store.tenant, g) for g in found], next_page_token=token)

    def GetWallet(self, request, context):
        member = MEMBERS.parse(request.member, "member")
        wallet = redemptions.get_wallet(c.GetWallet(member.tenant, member.id), self.uows, current_principal())
        return xm.wallet_to_proto(member.tenant, wallet)

    def Redeem(self, request, context):
        who = current_principal()
        check_names_visible(who, request.goods, write=True)
        member = MEMBERS.parse(request.member, "member")
        store_id, goods_id = xm.goods_in(request.goods, member.tenant, "goods")
        cmd = c.Redeem(member.tenant, member.id, store_id, goods_id, request.quantity, request.note,
                       request.request_id, request_fingerprint(request))
        return xm.redemption_to_proto(member.tenant, redemptions.redeem(cmd, self.uows, who))

    def ListRedemptions(self, request, context):
        who = current_principal()
        check_names_visible(who, request.member, request.store, write=False)
        code = tenant_code(request.parent, "parent")
        cmd = c.ListRedemptions(
            code, MEMBERS.id_in(request.member, code, "member") if request.member else None,
            STORES.id_in(request.store, code, "store") if request.store else None,
            request.page_size, request.page_token)
        found, token = redemptions.list_redemptions(cmd, self.uows, who)
        return xpb.ListRedemptionsResponse(redemptions=[xm.redemption_to_proto(code, r) for r in found],
                                           next_page_token=token)

    def CancelRedemption(self, request, context):
        name = REDEMPTIONS.parse(request.name, "name")
        cmd = c.CancelRedemption(name.tenant, name.id, request.reason, request.request_id,
                                 request_fingerprint(request))
        return xm.redemption_to_proto(name.tenant, redemptions.cancel_redemption(cmd, self.uows, current_principal()))
