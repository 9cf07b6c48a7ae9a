"""A county with a community store (爱心超市), for the exchange's tests: wallets credited as the
ledger credits them, units and members placed in the points directory as the organization's
events place them."""

from __future__ import annotations

from partybuilding.organization.v1 import organization_service_pb2 as pb
from partybuilding.points.v1 import points_exchange_pb2 as xpb
from partybuilding.points.v1 import points_service_pb2_grpc as points_grpc
from sqlalchemy import select

from services.common.ids import new_id
from services.points.adapters import tables
from services.points.service_layer.wallet import credit_wallet
from tests.helpers import County


def credit(platform, tenant: str, member: str, points: int, entry_id: str = "") -> str:
    """What the ledger does when an entry with exchange points becomes COUNTED."""
    entry_id = entry_id or new_id("e")
    with platform.runtime("points").uow_factory(tenant) as uow:
        credit_wallet(uow, tenant, member.rsplit("/", 1)[-1], points, entry_id)
        uow.commit()
    return entry_id


def outbox_types(platform, tenant: str) -> list[str]:
    with platform.runtime("points").uow_factory(tenant, write=False) as uow:
        return list(uow.conn.execute(select(tables.outbox.c.type).where(tables.outbox.c.tenant == tenant)
                                     .order_by(tables.outbox.c.seq)).scalars())


def known_to_points(platform, tenant: str, units: list[pb.Unit], members: list[pb.Member]) -> None:
    """Put units and members in the points directory as the organization's events would (the test
    platform runs no relay; a miss would read through, but a subtree query reads only what is stored)."""
    assert all(unit.path for unit in units)
    with platform.runtime("points").uow_factory(tenant) as uow:
        uow.directory.apply_units(units)
        uow.directory.apply_members(members)
        uow.commit()


class Shop:
    """A county with two villages (a member each), a store in the first and a shelf of goods."""

    def __init__(self, platform):
        self.p = platform
        self.county = County(platform)
        self.code, self.admin = self.county.code, self.county.admin
        self.s = points_grpc.PointsServiceStub(platform.channel)
        self.town, station, (self.v1, self.v2) = self.county.tree(villages=2)
        members = [self.county.member(self.v1.name, "李四"), self.county.member(self.v2.name, "王五")]
        self.member, self.other_member = (m.name for m in members)
        known_to_points(platform, self.code, [self.town, station, self.v1, self.v2], members)
        self.store = self.s.CreateStore(xpb.CreateStoreRequest(parent=self.county.parent, store=xpb.Store(
            display_name="东村爱心超市", unit=self.v1.name)), metadata=self.admin)
        self.oil = self.goods("食用油", price=10, stock=5)

    def goods(self, name: str, price: int, stock: int, md=None) -> xpb.Goods:
        return self.s.CreateGoods(xpb.CreateGoodsRequest(parent=self.store.name, goods=xpb.Goods(
            display_name=name, price_points=price, stock=stock)), metadata=md or self.admin)

    def redeem(self, quantity: int = 1, goods: str = "", member: str = "", md=None, **fields) -> xpb.Redemption:
        return self.s.Redeem(xpb.RedeemRequest(member=member or self.member, goods=goods or self.oil.name,
                                               quantity=quantity, **fields), metadata=md or self.admin)

    def wallet(self, member: str = "") -> xpb.Wallet:
        return self.s.GetWallet(xpb.GetWalletRequest(member=member or self.member), metadata=self.admin)

    def stock(self, goods: str = "") -> int:
        listed = self.s.ListGoods(xpb.ListGoodsRequest(parent=self.store.name), metadata=self.admin).goods
        return next(g.stock for g in listed if g.name == (goods or self.oil.name))

    def clerk(self, unit: pb.Unit):
        return self.p.as_("clerk", [self.code], unit=unit.name)
