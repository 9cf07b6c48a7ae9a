"""Use cases of the exchange's catalogue: community stores (爱心超市) and the goods on their shelves."""

from __future__ import annotations

from services.common.auth import Principal
from services.common.errors import InvalidArgument, Validator, check_update_mask, stale_etag
from services.common.ids import new_id
from services.common.pagination import Page
from services.common.tenancy import check_etag
from services.points.domain import exchange
from services.points.domain.exchange import Goods, Store
from services.points.domain.exchange_events import GoodsRestocked
from services.points.domain.names import goods_name, store_name
from services.points.service_layer import exchange_commands as c
from services.points.service_layer.exchange_loaders import (
    check_store_within,
    load_goods,
    load_store,
)
from services.points.service_layer.scope import check_unit_within
from services.points.service_layer.unit_of_work import PointsUnitOfWorkFactory

GOODS_FIELDS = frozenset({"display_name", "price_points", "on_sale"})
NAME_MAX = 60


def create_store(cmd: c.CreateStore, uows: PointsUnitOfWorkFactory, who: Principal) -> Store:
    v = Validator()
    display_name = v.text(cmd.display_name, "store.display_name", max_len=NAME_MAX)
    v.require(bool(cmd.unit_id), "store.unit", "请指定爱心超市所在的村或社区", "must name the village or community served")
    v.raise_if_any()
    with uows(cmd.tenant) as uow:
        claim = uow.idempotency.claim("CreateStore", cmd)
        if claim.done:
            store = load_store(uow, claim.done)
            check_store_within(uow, who, store)
            return store
        unit = uow.directory.unit(cmd.unit_id)
        if unit is None or not unit.active:
            raise InvalidArgument.field("store.unit", "所在的村或社区不存在或已撤销",
                                        "names no active village or community of this county", "UNIT_NOT_FOUND")
        check_unit_within(uow, who, unit)
        exchange.check_store_unit(unit.type, unit.display_name, "store.unit")
        store = Store(id=new_id("st"), unit_id=unit.id, display_name=display_name, created_by=who.subject)
        uow.exchange.add_store(store)
        claim.remember(store_name(cmd.tenant, store.id))
        uow.commit()
        return store


def list_stores(cmd: c.ListStores, uows: PointsUnitOfWorkFactory, who: Principal) -> tuple[list[Store], str]:
    with uows(cmd.tenant, write=False) as uow:
        page = Page.open(cmd, uows.page_tokens, shape=(str,))
        within = None
        if cmd.under_id:
            if uow.directory.unit(cmd.under_id) is None:
                raise InvalidArgument.field("under", "该组织不存在", "names no unit of this county", "UNIT_NOT_FOUND")
            within = uow.directory.in_subtree(uow.exchange.store_unit_column(), cmd.under_id)
        found = uow.exchange.list_stores(within, page.after_one(), page.fetch)
        return page.cut(found, lambda store: [store.id])


def create_goods(cmd: c.CreateGoods, uows: PointsUnitOfWorkFactory, who: Principal) -> Goods:
    v = Validator()
    display_name = v.text(cmd.display_name, "goods.display_name", max_len=NAME_MAX)
    exchange.check_price(v, cmd.price_points, "goods.price_points")
    exchange.check_initial_stock(v, cmd.stock, "goods.stock")
    v.raise_if_any()
    with uows(cmd.tenant) as uow:
        store = load_store(uow, cmd.store_id)
        check_store_within(uow, who, store)
        claim = uow.idempotency.claim("CreateGoods", cmd)
        if claim.done:
            return load_goods(uow, store.id, claim.done)
        goods = Goods(id=new_id("g"), store_id=store.id, display_name=display_name, price_points=cmd.price_points,
                      stock=cmd.stock, on_sale=cmd.on_sale)
        uow.exchange.add_goods(goods)
        claim.remember(goods_name(cmd.tenant, store.id, goods.id))
        uow.commit()
        return goods


def update_goods(cmd: c.UpdateGoods, uows: PointsUnitOfWorkFactory, who: Principal) -> Goods:
    check_update_mask(cmd.changes, GOODS_FIELDS)
    v = Validator()
    changes = dict(cmd.changes)
    if "display_name" in changes:
        changes["display_name"] = v.text(changes["display_name"], "goods.display_name", max_len=NAME_MAX)
    if "price_points" in changes:
        exchange.check_price(v, changes["price_points"], "goods.price_points")
    v.raise_if_any()
    with uows(cmd.tenant) as uow:
        store = load_store(uow, cmd.store_id)
        check_store_within(uow, who, store)
        goods = load_goods(uow, store.id, cmd.goods_id)
        name = goods_name(cmd.tenant, store.id, goods.id)
        check_etag(cmd.etag, goods.version, name)
        read_version = goods.version
        for field, value in changes.items():
            setattr(goods, field, value)
        goods.version += 1
        if not uow.exchange.update_goods(goods, read_version):
            raise stale_etag(name)  # changed between our read and our write
        uow.commit()
        return goods


def restock_goods(cmd: c.RestockGoods, uows: PointsUnitOfWorkFactory, who: Principal) -> Goods:
    v = Validator()
    exchange.check_quantity(v, cmd.quantity, "quantity", exchange.MAX_RESTOCK)
    v.raise_if_any()
    with uows(cmd.tenant) as uow:
        store = load_store(uow, cmd.store_id)
        check_store_within(uow, who, store)
        goods = load_goods(uow, store.id, cmd.goods_id)
        name = goods_name(cmd.tenant, store.id, goods.id)
        claim = uow.idempotency.claim("RestockGoods", cmd)
        if claim.done:
            return goods
        exchange.check_restock(goods, cmd.quantity)
        goods.stock = uow.exchange.restock(goods.id, cmd.quantity, who.subject)
        claim.remember(name)
        uow.emit(GoodsRestocked(name, cmd.quantity, goods.stock, who.subject))
        uow.commit()
        return goods


def list_goods(cmd: c.ListGoods, uows: PointsUnitOfWorkFactory, who: Principal) -> tuple[list[Goods], str]:
    with uows(cmd.tenant, write=False) as uow:
        page = Page.open(cmd, uows.page_tokens, shape=(str,))
        store = load_store(uow, cmd.store_id)
        found = uow.exchange.list_goods(store.id, cmd.on_sale_only, page.after_one(), page.fetch)
        return page.cut(found, lambda goods: [goods.id])

