"""A county's own message templates per event type, channel and locale; RLS on PostgreSQL.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 19:45:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.common.migrate import enable_row_level_security

# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('notify_templates',
    sa.Column('tenant', sa.String(length=6), nullable=False),
    sa.Column('event_type', sa.String(length=80), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('updated_by', sa.String(length=100), server_default='', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant', 'event_type', 'channel', 'locale', name=op.f('pk_notify_templates'))
    )
    enable_row_level_security(op, tables=("notify_templates",), grant_tables=("notify_templates",))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('notify_templates')
