"""Archived counties (pbctl tenant offboard): every RPC naming one is refused until it is purged.

Revision ID: 0005
Revises: 0004
"""
from collections.abc import Sequence

from alembic import op

from services.common.archive import create_archived_tenants_table

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_archived_tenants_table(op)


def downgrade() -> None:
    op.drop_table('archived_tenants')
