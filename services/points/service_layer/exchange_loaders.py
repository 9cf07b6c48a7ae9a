"""Shared loads of the exchange's use cases, and the clerk's reach over stores and members.

A clerk works a store's counter only when the store's village or community lies in their
subtree, and serves only members of their subtree (scope.check_unit_within on both).
"""

from __future__ import annotations

from services.common.auth import Principal
from services.common.errors import FailedPrecondition, PermissionDenied, not_found
from services.points.domain.exchange import Goods, Redemption, Store
from services.points.domain.names import goods_name, member_name, redemption_name, store_name
from services.points.service_layer.scope import check_unit_within, clerk_root
from services.points.service_layer.unit_of_work import PointsUnitOfWork


def load_store(uow: PointsUnitOfWork, store_id: str) -> Store:
    store = uow.exchange.get_store(store_id)
    if store is None:
        raise not_found("爱心超市", "store", store_name(uow.tenant, store_id))
    return store


def load_goods(uow: PointsUnitOfWork, store_id: str, goods_id: str) -> Goods:
    goods = uow.exchange.get_goods(store_id, goods_id)
    if goods is None:
        raise not_found("商品", "goods", goods_name(uow.tenant, store_id, goods_id))
    return goods


def load_redemption(uow: PointsUnitOfWork, redemption_id: str, *, lock: bool = False) -> Redemption:
    redemption = uow.exchange.get_redemption(redemption_id, lock=lock)
    if redemption is None:
        raise not_found("兑换记录", "redemption", redemption_name(uow.tenant, redemption_id))
    return redemption


def load_member(uow: PointsUnitOfWork, member_id: str):
    """The member as the directory knows them (read through to the organization on a miss)."""
    member = uow.directory.member(member_id)
    if member is None:
        raise not_found("党员", "member", member_name(uow.tenant, member_id))
    return member


def check_may_redeem(uow: PointsUnitOfWork, member) -> None:
    """A member transferred to another county keeps a read-only wallet here."""
    if not member.active:
        raise FailedPrecondition(
            "MEMBER_TRANSFERRED_OUT",
            f"党员“{member.display_name}”的组织关系已转出本县，积分只能查询，不能兑换",
            f"member {member_name(uow.tenant, member.id)} was transferred out of this county: "
            "the wallet is read-only here",
        )


def check_store_within(uow: PointsUnitOfWork, who: Principal, store: Store) -> None:
    """A clerk acts only for stores of villages and communities in their subtree."""
    if clerk_root(uow, who) is None:
        return
    unit = uow.directory.unit(store.unit_id)
    if unit is None:
        raise _outside(f"爱心超市“{store.display_name}”", store_name(uow.tenant, store.id))
    check_unit_within(uow, who, unit)


def check_member_within(uow: PointsUnitOfWork, who: Principal, member) -> None:
    """A clerk serves only members whose unit lies in their subtree."""
    if clerk_root(uow, who) is None:
        return
    unit = uow.directory.unit(member.unit_id) if member.unit_id else None
    if unit is None:
        raise _outside(f"党员“{member.display_name}”", member_name(uow.tenant, member.id))
    check_unit_within(uow, who, unit)


def _outside(what_zh: str, name: str) -> PermissionDenied:
    return PermissionDenied("OUTSIDE_CLERK_SUBTREE", f"无权操作{what_zh}：不在您负责的组织范围内",
                            f"{name} lies outside the clerk's subtree")
