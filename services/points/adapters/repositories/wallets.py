"""The wallet aggregate: each member's spendable points and the ledger entries that credited them."""

from __future__ import annotations

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from services.common.clock import utcnow
from services.points.adapters import tables as t
from services.points.domain.exchange import Wallet


class WalletRepository:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant
        self._dialect = postgresql if conn.dialect.name == "postgresql" else sqlite

    @staticmethod
    def _from_row(row) -> Wallet:
        return Wallet(member_id=row.member_id, earned=row.earned, spent=row.spent, version=row.version)

    def get(self, member_id: str) -> Wallet:
        """The member's wallet; an empty one for a member never credited."""
        row = self.conn.execute(select(t.wallets).where(
            t.wallets.c.tenant == self.tenant, t.wallets.c.member_id == member_id)).first()
        return self._from_row(row) if row else Wallet(member_id)

    def lock(self, member_id: str) -> Wallet:
        """The member's wallet row, held until commit (FOR UPDATE on PostgreSQL; SQLite writers are
        serial), created empty first so that there is a row to hold."""
        self.conn.execute(self._dialect.insert(t.wallets).values(
            tenant=self.tenant, member_id=member_id, earned=0, spent=0, version=0, updated_at=utcnow(),
        ).on_conflict_do_nothing())
        row = self.conn.execute(select(t.wallets).where(
            t.wallets.c.tenant == self.tenant, t.wallets.c.member_id == member_id).with_for_update()).one()
        return self._from_row(row)

    def spend(self, member_id: str, points: int) -> None:
        """Add `points` to what the member spent (negative: a cancelled redemption's refund)."""
        self.conn.execute(update(t.wallets).where(
            t.wallets.c.tenant == self.tenant, t.wallets.c.member_id == member_id,
        ).values(spent=t.wallets.c.spent + points, version=t.wallets.c.version + 1, updated_at=utcnow()))

    def credit(self, tenant: str, member_id: str, points: int, entry_id: str) -> bool:
        """Credit `points` (negative for a reversal) for ledger entry `entry_id` of `tenant`, once.

        False when that entry already credited a wallet: its key in wallet_credits is taken.
        """
        now = utcnow()
        taken = self.conn.execute(self._dialect.insert(t.wallet_credits).values(
            tenant=tenant, entry_id=entry_id, member_id=member_id, points=points, credited_at=now,
        ).on_conflict_do_nothing().returning(t.wallet_credits.c.entry_id)).first()
        if taken is None:
            return False
        upsert = self._dialect.insert(t.wallets).values(
            tenant=tenant, member_id=member_id, earned=points, spent=0, version=1, updated_at=now)
        self.conn.execute(upsert.on_conflict_do_update(
            index_elements=[t.wallets.c.tenant, t.wallets.c.member_id],
            set_={"earned": t.wallets.c.earned + points, "version": t.wallets.c.version + 1, "updated_at": now},
        ))
        return True
