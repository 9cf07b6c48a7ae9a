"""Points exchange (爱心超市): stores, goods and their restocks, wallets and their credits, redemptions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 19:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.common.migrate import enable_row_level_security

# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('stores', 'goods', 'goods_restocks', 'wallets', 'wallet_credits', 'redemptions')


def upgrade() -> None:
    op.create_table('stores',
    sa.Column('tenant', sa.String(length=6), nullable=False),
    sa.Column('id', sa.String(length=24), nullable=False),
    sa.Column('unit_id', sa.String(length=40), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_by', sa.String(length=100), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant', 'id', name=op.f('pk_stores'))
    )
    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.create_index('ix_stores_tenant_unit', ['tenant', 'unit_id'], unique=False)

    op.create_table('goods',
    sa.Column('tenant', sa.String(length=6), nullable=False),
    sa.Column('id', sa.String(length=24), nullable=False),
    sa.Column('store_id', sa.String(length=24), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('price_points', sa.BigInteger(), nullable=False),
    sa.Column('stock', sa.BigInteger(), nullable=False),
    sa.Column('on_sale', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('stock >= 0', name='ck_goods_stock_not_negative'),
    sa.PrimaryKeyConstraint('tenant', 'id', name=op.f('pk_goods'))
    )
    with op.batch_alter_table('goods', schema=None) as batch_op:
        batch_op.create_index('ix_goods_tenant_store', ['tenant', 'store_id', 'id'], unique=False)

    op.create_table('goods_restocks',
    sa.Column('tenant', sa.String(length=6), nullable=False),
    sa.Column('id', sa.String(length=24), nullable=False),
    sa.Column('goods_id', sa.String(length=24), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('stock_after', sa.BigInteger(), nullable=False),
    sa.Column('restocked_by', sa.String(length=100), nullable=False),
    sa.Column('restocked_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant', 'id', name=op.f('pk_goods_restocks'))
    )
    with op.batch_alter_table('goods_restocks', schema=None) as batch_op:
        batch_op.create_index('ix_goods_restocks_tenant_goods', ['tenant', 'goods_id'], unique=False)

    op.create_table('wallets',
    sa.Column('tenant', sa.String(length=6), nullable=False),
    sa.Column('member_id', sa.String(length=40), nullable=False),
    sa.Column('earned', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('spent', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant', 'member_id', name=op.f('pk_wallets'))
    )
    op.create_table('wallet_credits',
    sa.Column('tenant', sa.String(length=6), nullable=False),
    sa.Column('entry_id', sa.String(length=40), nullable=False),
    sa.Column('member_id', sa.String(length=40), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('credited_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant', 'entry_id', name=op.f('pk_wallet_credits'))
    )
    op.create_table('redemptions',
    sa.Column('tenant', sa.String(length=6), nullable=False),
    sa.Column('id', sa.String(length=24), nullable=False),
    sa.Column('member_id', sa.String(length=40), nullable=False),
    sa.Column('member_unit_id', sa.String(length=40), nullable=False),
    sa.Column('store_id', sa.String(length=24), nullable=False),
    sa.Column('goods_id', sa.String(length=24), nullable=False),
    sa.Column('goods_display_name', sa.String(length=100), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('price_points', sa.BigInteger(), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('note', sa.String(length=200), server_default='', nullable=False),
    sa.Column('redeemed_by', sa.String(length=100), nullable=False),
    sa.Column('redeemed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_by', sa.String(length=100), server_default='', nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.String(length=200), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('tenant', 'id', name=op.f('pk_redemptions'))
    )
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.create_index('ix_redemptions_tenant_member', ['tenant', 'member_id', 'id'], unique=False)
        batch_op.create_index('ix_redemptions_tenant_store', ['tenant', 'store_id', 'id'], unique=False)

    enable_row_level_security(op, tables=TABLES, grant_tables=TABLES)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
