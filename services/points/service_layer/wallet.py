"""The exchange wallet's one entry from the ledger: credit a member when an entry counts.

The ledger calls `credit_wallet` in its own transaction when an entry becomes COUNTED (its
`exchange_points`) or is reversed (the reversal's negative `exchange_points`), so the wallet
moves with the entry or not at all. Each entry credits once: a second call for the same entry
id changes nothing. The evaluative balance is the ledger's and is never touched here.
"""

from __future__ import annotations

from services.points.service_layer.unit_of_work import PointsUnitOfWork


def credit_wallet(uow: PointsUnitOfWork, tenant: str, member_id: str, points: int, entry_id: str) -> bool:
    """Credit `points` (negative for a reversal) to the member's wallet for ledger entry `entry_id`.

    True when credited now, False when the entry had credited already or carries no points.
    """
    if points == 0:
        return False
    return uow.wallets.credit(tenant, member_id, points, entry_id)
