"""Use cases of spending: a member's wallet, redeeming goods for points, and cancelling a redemption.

Two redemptions of one wallet meet on its row (locked before the balance is read), and two of
one item on its stock (taken by a conditional UPDATE), so together they never overspend the
wallet nor take the stock below zero. The wallet row is always locked before the goods row, in
Redeem and in CancelRedemption alike, so the two never deadlock.
"""

from __future__ import annotations

from services.common.auth import Principal
from services.common.clock import utcnow
from services.common.errors import Validator
from services.common.ids import new_id
from services.common.pagination import Page
from services.common.text import REASON_MAX
from services.points.domain import exchange
from services.points.domain.exchange import Redemption, RedemptionState, Wallet
from services.points.domain.exchange_events import RedemptionCancelled, RedemptionMade
from services.points.domain.names import goods_name, member_name, redemption_name
from services.points.service_layer import exchange_commands as c
from services.points.service_layer.exchange_loaders import (
    check_may_redeem,
    check_member_within,
    check_store_within,
    load_goods,
    load_member,
    load_redemption,
    load_store,
)
from services.points.service_layer.scope import clerk_root
from services.points.service_layer.unit_of_work import PointsUnitOfWork, PointsUnitOfWorkFactory

NOTE_MAX = 200


def get_wallet(cmd: c.GetWallet, uows: PointsUnitOfWorkFactory, who: Principal) -> Wallet:
    with uows(cmd.tenant, write=False) as uow:
        member = load_member(uow, cmd.member_id)
        check_member_within(uow, who, member)
        return uow.wallets.get(member.id)


def _check_redemption_within(uow: PointsUnitOfWork, who: Principal, redemption: Redemption) -> None:
    """A clerk sees and cancels only redemptions of members they serve at stores they serve."""
    if clerk_root(uow, who) is None:
        return
    check_store_within(uow, who, load_store(uow, redemption.store_id))
    check_member_within(uow, who, load_member(uow, redemption.member_id))


def redeem(cmd: c.Redeem, uows: PointsUnitOfWorkFactory, who: Principal) -> Redemption:
    v = Validator()
    exchange.check_quantity(v, cmd.quantity, "quantity", exchange.MAX_REDEEM_QUANTITY)
    note = v.text(cmd.note, "note", max_len=NOTE_MAX, required=False)
    v.raise_if_any()
    with uows(cmd.tenant) as uow:
        claim = uow.idempotency.claim("Redeem", cmd)
        if claim.done:
            first = load_redemption(uow, claim.done)
            _check_redemption_within(uow, who, first)
            return first
        member = load_member(uow, cmd.member_id)
        store = load_store(uow, cmd.store_id)
        goods = load_goods(uow, store.id, cmd.goods_id)
        check_member_within(uow, who, member)
        check_store_within(uow, who, store)
        check_may_redeem(uow, member)
        wallet = uow.wallets.lock(member.id)
        cost = exchange.check_redeemable(goods, wallet, cmd.quantity)
        if not uow.exchange.take_stock(goods.id, cmd.quantity):
            # Another redemption took the last items after we read the goods.
            raise exchange.out_of_stock(load_goods(uow, store.id, goods.id), cmd.quantity)
        uow.wallets.spend(member.id, cost)
        redemption = Redemption(
            id=new_id("rd"), member_id=member.id, member_unit_id=member.unit_id, store_id=store.id,
            goods_id=goods.id, goods_display_name=goods.display_name, quantity=cmd.quantity,
            price_points=goods.price_points, points=cost, state=RedemptionState.REDEEMED,
            redeemed_by=who.subject, redeemed_at=utcnow(), note=note,
        )
        uow.exchange.add_redemption(redemption)
        name = redemption_name(cmd.tenant, redemption.id)
        claim.remember(name)
        uow.emit(RedemptionMade(name, member_name(cmd.tenant, member.id), goods_name(cmd.tenant, store.id, goods.id),
                                cmd.quantity, cost, who.subject))
        uow.commit()
        return redemption


def list_redemptions(cmd: c.ListRedemptions, uows: PointsUnitOfWorkFactory,
                     who: Principal) -> tuple[list[Redemption], str]:
    with uows(cmd.tenant, write=False) as uow:
        page = Page.open(cmd, uows.page_tokens, shape=(str,))
        if cmd.member_id:
            check_member_within(uow, who, load_member(uow, cmd.member_id))
        if cmd.store_id:
            check_store_within(uow, who, load_store(uow, cmd.store_id))
        root = clerk_root(uow, who)
        # A clerk's listing holds what happened to members of their subtree, whatever they filter.
        within = uow.directory.in_subtree(uow.exchange.redemption_unit_column(), root.id) if root else None
        found = uow.exchange.list_redemptions(cmd.member_id, cmd.store_id, within, page.after_one(), page.fetch)
        return page.cut(found, lambda r: [r.id])


def cancel_redemption(cmd: c.CancelRedemption, uows: PointsUnitOfWorkFactory, who: Principal) -> Redemption:
    v = Validator()
    reason = v.text(cmd.reason, "reason", max_len=REASON_MAX)
    v.raise_if_any()
    with uows(cmd.tenant) as uow:
        claim = uow.idempotency.claim("CancelRedemption", cmd)
        redemption = load_redemption(uow, cmd.redemption_id)
        _check_redemption_within(uow, who, redemption)
        if claim.done:
            return redemption
        uow.wallets.lock(redemption.member_id)
        redemption = load_redemption(uow, cmd.redemption_id, lock=True)  # as it is under the lock
        exchange.check_cancellable(redemption)
        uow.exchange.put_back(redemption.goods_id, redemption.quantity)
        uow.wallets.spend(redemption.member_id, -redemption.points)
        redemption.state = RedemptionState.CANCELLED
        redemption.cancelled_by, redemption.cancelled_at, redemption.cancel_reason = who.subject, utcnow(), reason
        uow.exchange.cancel_redemption(redemption)
        name = redemption_name(cmd.tenant, redemption.id)
        claim.remember(name)
        uow.emit(RedemptionCancelled(name, member_name(cmd.tenant, redemption.member_id),
                                     goods_name(cmd.tenant, redemption.store_id, redemption.goods_id),
                                     redemption.quantity, redemption.points, who.subject, reason))
        uow.commit()
        return redemption
