"""The exchange wallet hook (爱心超市): the ledger calls it when an entry counts or is reversed.

Placeholder of the ledger's branch: the exchange's branch owns this module and its wallet table;
its version replaces this one at the merge.
"""

from __future__ import annotations


def credit_wallet(uow, tenant: str, member_id: str, points: int, entry_id: str) -> None:
    """Credit (or, negative, debit) a member's spendable points for a counted or reversed entry."""
