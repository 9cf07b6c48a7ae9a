"""The exchange aggregates: stores, their goods (with the stock audit), and redemptions."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.sql.elements import ColumnElement

from services.common.clock import as_utc, utcnow
from services.common.ids import new_id
from services.points.adapters import tables as t
from services.points.domain.exchange import Goods, Redemption, RedemptionState, Store


def _store(row) -> Store:
    return Store(id=row.id, unit_id=row.unit_id, display_name=row.display_name, version=row.version,
                 created_at=as_utc(row.created_at), created_by=row.created_by)


def _goods(row) -> Goods:
    return Goods(id=row.id, store_id=row.store_id, display_name=row.display_name, price_points=row.price_points,
                 stock=row.stock, on_sale=bool(row.on_sale), version=row.version,
                 created_at=as_utc(row.created_at), updated_at=as_utc(row.updated_at))


def _redemption(row) -> Redemption:
    return Redemption(
        id=row.id, member_id=row.member_id, member_unit_id=row.member_unit_id, store_id=row.store_id,
        goods_id=row.goods_id, goods_display_name=row.goods_display_name, quantity=row.quantity,
        price_points=row.price_points, points=row.points, state=RedemptionState(row.state), note=row.note,
        redeemed_by=row.redeemed_by, redeemed_at=as_utc(row.redeemed_at), cancelled_by=row.cancelled_by,
        cancelled_at=as_utc(row.cancelled_at) if row.cancelled_at else None, cancel_reason=row.cancel_reason,
    )


class ExchangeRepository:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    # ------------------------------------------------------------ stores

    def add_store(self, store: Store) -> None:
        store.created_at = utcnow()
        self.conn.execute(insert(t.stores).values(
            tenant=self.tenant, id=store.id, unit_id=store.unit_id, display_name=store.display_name,
            version=store.version, created_by=store.created_by, created_at=store.created_at))

    def get_store(self, store_id: str) -> Store | None:
        row = self.conn.execute(select(t.stores).where(
            t.stores.c.tenant == self.tenant, t.stores.c.id == store_id)).first()
        return _store(row) if row else None

    def list_stores(self, within: ColumnElement | None, after: str | None, limit: int) -> list[Store]:
        """Stores in id order; `within` a condition on the store's unit (a subtree)."""
        query = select(t.stores).where(t.stores.c.tenant == self.tenant).order_by(t.stores.c.id).limit(limit)
        if within is not None:
            query = query.where(within)
        if after:
            query = query.where(t.stores.c.id > after)
        return [_store(r) for r in self.conn.execute(query)]

    @staticmethod
    def store_unit_column() -> ColumnElement:
        return t.stores.c.unit_id

    # ------------------------------------------------------------ goods

    def add_goods(self, goods: Goods) -> None:
        goods.created_at = goods.updated_at = utcnow()
        self.conn.execute(insert(t.goods).values(
            tenant=self.tenant, id=goods.id, store_id=goods.store_id, display_name=goods.display_name,
            price_points=goods.price_points, stock=goods.stock, on_sale=goods.on_sale, version=goods.version,
            created_at=goods.created_at, updated_at=goods.updated_at))

    def get_goods(self, store_id: str, goods_id: str) -> Goods | None:
        row = self.conn.execute(select(t.goods).where(
            t.goods.c.tenant == self.tenant, t.goods.c.store_id == store_id, t.goods.c.id == goods_id)).first()
        return _goods(row) if row else None

    def list_goods(self, store_id: str, on_sale_only: bool, after: str | None, limit: int) -> list[Goods]:
        query = (select(t.goods).where(t.goods.c.tenant == self.tenant, t.goods.c.store_id == store_id)
                 .order_by(t.goods.c.id).limit(limit))
        if on_sale_only:
            query = query.where(t.goods.c.on_sale.is_(True))
        if after:
            query = query.where(t.goods.c.id > after)
        return [_goods(r) for r in self.conn.execute(query)]

    def update_goods(self, goods: Goods, read_version: int) -> bool:
        """Write what UpdateGoods changes if the row is still at `read_version`; False if it is not."""
        goods.updated_at = utcnow()
        done = self.conn.execute(update(t.goods).where(
            t.goods.c.tenant == self.tenant, t.goods.c.id == goods.id, t.goods.c.version == read_version,
        ).values(display_name=goods.display_name, price_points=goods.price_points, on_sale=goods.on_sale,
                 version=goods.version, updated_at=goods.updated_at))
        return done.rowcount == 1

    def take_stock(self, goods_id: str, quantity: int) -> bool:
        """Take `quantity` items off the shelf if that many are there: one conditional UPDATE, so
        concurrent redemptions never take the stock below zero. False when too few are left."""
        done = self.conn.execute(update(t.goods).where(
            t.goods.c.tenant == self.tenant, t.goods.c.id == goods_id, t.goods.c.stock >= quantity,
        ).values(stock=t.goods.c.stock - quantity))
        return done.rowcount == 1

    def put_back(self, goods_id: str, quantity: int) -> None:
        """Return items to the shelf (a cancelled redemption)."""
        self.conn.execute(update(t.goods).where(t.goods.c.tenant == self.tenant, t.goods.c.id == goods_id)
                          .values(stock=t.goods.c.stock + quantity))

    def restock(self, goods_id: str, quantity: int, actor: str) -> int:
        """Add a delivery to the stock and record it (who, when, how many); the stock after it."""
        stock = self.conn.execute(update(t.goods).where(
            t.goods.c.tenant == self.tenant, t.goods.c.id == goods_id,
        ).values(stock=t.goods.c.stock + quantity).returning(t.goods.c.stock)).scalar_one()
        self.conn.execute(insert(t.goods_restocks).values(
            tenant=self.tenant, id=new_id("rs"), goods_id=goods_id, quantity=quantity, stock_after=stock,
            restocked_by=actor, restocked_at=utcnow()))
        return stock

    # ------------------------------------------------------------ redemptions

    def add_redemption(self, r: Redemption) -> None:
        self.conn.execute(insert(t.redemptions).values(
            tenant=self.tenant, id=r.id, member_id=r.member_id, member_unit_id=r.member_unit_id,
            store_id=r.store_id, goods_id=r.goods_id, goods_display_name=r.goods_display_name,
            quantity=r.quantity, price_points=r.price_points, points=r.points, state=r.state.value, note=r.note,
            redeemed_by=r.redeemed_by, redeemed_at=r.redeemed_at))

    def get_redemption(self, redemption_id: str, *, lock: bool = False) -> Redemption | None:
        query = select(t.redemptions).where(t.redemptions.c.tenant == self.tenant, t.redemptions.c.id == redemption_id)
        row = self.conn.execute(query.with_for_update() if lock else query).first()
        return _redemption(row) if row else None

    def cancel_redemption(self, r: Redemption) -> None:
        self.conn.execute(update(t.redemptions).where(
            t.redemptions.c.tenant == self.tenant, t.redemptions.c.id == r.id,
        ).values(state=r.state.value, cancelled_by=r.cancelled_by, cancelled_at=r.cancelled_at,
                 cancel_reason=r.cancel_reason))

    def list_redemptions(self, member_id: str | None, store_id: str | None, within: ColumnElement | None,
                         before: str | None, limit: int) -> list[Redemption]:
        """Newest first (ids follow time); `within` a condition on the member's unit when redeeming."""
        r = t.redemptions
        query = select(r).where(r.c.tenant == self.tenant).order_by(r.c.id.desc()).limit(limit)
        if member_id:
            query = query.where(r.c.member_id == member_id)
        if store_id:
            query = query.where(r.c.store_id == store_id)
        if within is not None:
            query = query.where(within)
        if before:
            query = query.where(r.c.id < before)
        return [_redemption(row) for row in self.conn.execute(query)]

    @staticmethod
    def redemption_unit_column() -> ColumnElement:
        return t.redemptions.c.member_unit_id
