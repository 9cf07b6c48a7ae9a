"""Archived counties (pbctl tenant offboard): every RPC naming one is refused until it is purged.

Revision ID: 0004
Revises: 0003
"""
from collections.abc import Sequence

from alembic import op

from services.common.archive import create_archived_tenants_table

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_archived_tenants_table(op)


def downgrade() -> None:
    op.drop_table('archived_tenants')
