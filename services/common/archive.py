"""Archived counties (已停用): offboarded by the operator, refused by every RPC, purged later.

`pbctl tenant offboard` writes the county into each service's `archived_tenants` table in one
go. Every process keeps the set in memory and reloads it every `refresh_seconds`, so a call
costs a set lookup, and a process learns of an archive within that time without any service
asking another.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from services.common.errors import FailedPrecondition
from services.common.tenancy import tenant_name

log = logging.getLogger("partybuilding.archive")

REFRESH_SECONDS = 2.0
# The kernel's own view of the table each service migrates (services/common/tables.py).
ARCHIVED = sa.table("archived_tenants", sa.column("tenant"))


def archived_error(code: str) -> FailedPrecondition:
    return FailedPrecondition(
        "TENANT_ARCHIVED",
        f"{tenant_name(code)} 已停用（已归档），不再受理任何请求",
        f"{tenant_name(code)} is archived (offboarded): it no longer accepts any request",
        {"tenant": code},
    )


def create_archived_tenants_table(op) -> None:
    """Body of each service's migration adding the table; the app role may read it."""
    from services.common.db import APP_ROLE
    from services.common.tables import utc_datetime

    op.create_table(
        "archived_tenants",
        sa.Column("tenant", sa.String(length=6), nullable=False),
        sa.Column("archived_at", utc_datetime(), nullable=False),
        sa.Column("archived_by", sa.String(length=100), nullable=False),
        sa.Column("purge_after", utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", name=op.f("pk_archived_tenants")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # The operator offboards and purges as the app role, bound to the county (operations/databases.py).
        op.execute(f"GRANT SELECT, INSERT, DELETE ON archived_tenants TO {APP_ROLE}")


def without_archived(conn: Connection, codes: Iterable[str]) -> list[str]:
    """`codes` less the archived counties: the periodic sweeps leave an offboarded county alone
    (no reminders, no overdue notices, no term announcements)."""
    archived = set(conn.execute(sa.select(ARCHIVED.c.tenant)).scalars())
    return [code for code in codes if code not in archived]


class ArchivedTenants:
    """The archived county codes of the services this process hosts."""

    def __init__(self, refresh_seconds: float = REFRESH_SECONDS):
        self._engines: dict[str, Engine] = {}
        self._codes: frozenset[str] = frozenset()
        self._refresh_seconds = refresh_seconds
        self._next_refresh = 0.0
        self._lock = threading.Lock()

    def use(self, owner: str, engine: Engine) -> None:
        self._engines[owner] = engine
        self._next_refresh = 0.0

    def check(self, code: str | None) -> None:
        """FAILED_PRECONDITION when `code` names an archived county."""
        if code and self._engines:
            if time.monotonic() >= self._next_refresh:
                self.refresh()
            if code in self._codes:
                raise archived_error(code)

    def refresh(self) -> None:
        with self._lock:
            if time.monotonic() < self._next_refresh:
                return  # another thread reloaded while this one waited
            codes: set[str] = set()
            for owner, engine in list(self._engines.items()):
                try:
                    with engine.connect() as conn:
                        codes.update(conn.execute(sa.select(ARCHIVED.c.tenant)).scalars())
                except Exception:  # the database may be down: keep refusing what we knew
                    log.exception("could not reload the archived tenants", extra={"fields": {"owner": owner}})
                    codes.update(self._codes)
            self._codes = frozenset(codes)
            self._next_refresh = time.monotonic() + self._refresh_seconds
