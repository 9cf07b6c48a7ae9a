"""Channels: webhook endpoints, the delivery log of every channel's calls and the SMS sink; RLS on PostgreSQL.

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-04 19:55:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.common.migrate import enable_row_level_security

# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("webhook_endpoints", "delivery_attempts", "sms_sink")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('webhook_endpoints',
    sa.Column('tenant', sa.String(length=6), nullable=False),
    sa.Column('id', sa.String(length=24), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('event_types', sa.Text(), nullable=False),
    sa.Column('secret_sealed', sa.String(length=200), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('disabled_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('consecutive_failures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('tenant', 'id', name=op.f('pk_webhook_endpoints'))
    )
    op.create_table('delivery_attempts',
    sa.Column('tenant', sa.String(length=6), nullable=False),
    sa.Column('id', sa.String(length=24), nullable=False),
    sa.Column('message_id', sa.String(length=24), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recipient_id', sa.String(length=40), nullable=False),
    sa.Column('event_type', sa.String(length=80), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('error', sa.Text(), server_default='', nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant', 'id', name=op.f('pk_delivery_attempts'))
    )
    with op.batch_alter_table('delivery_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_attempts_rate', ['tenant', 'channel', 'attempted_at'], unique=False)
        batch_op.create_index('ix_delivery_attempts_recipient', ['tenant', 'recipient_id', 'attempted_at'],
                              unique=False)
    op.create_table('sms_sink',
    sa.Column('tenant', sa.String(length=6), nullable=False),
    sa.Column('id', sa.String(length=24), nullable=False),
    sa.Column('message_id', sa.String(length=24), nullable=False),
    sa.Column('phone_masked', sa.String(length=11), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('segments', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant', 'id', name=op.f('pk_sms_sink'))
    )
    with op.batch_alter_table('sms_sink', schema=None) as batch_op:
        batch_op.create_index('ix_sms_sink_tenant_created', ['tenant', 'created_at'], unique=False)
    enable_row_level_security(op, tables=TABLES, grant_tables=TABLES)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('sms_sink', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_sink_tenant_created')
    op.drop_table('sms_sink')
    with op.batch_alter_table('delivery_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_attempts_recipient')
        batch_op.drop_index('ix_delivery_attempts_rate')
    op.drop_table('delivery_attempts')
    op.drop_table('webhook_endpoints')
