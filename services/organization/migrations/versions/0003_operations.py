"""Long-running operations (county imports), readable after they finish and after a restart.

Revision ID: 0003
Revises: 0001
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.common.migrate import enable_row_level_security

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('operations',
    sa.Column('id', sa.String(length=24), nullable=False),
    sa.Column('tenant', sa.String(length=6), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('validate_only', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('done', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('rows_total', sa.Integer(), server_default='0', nullable=False),
    sa.Column('rows_done', sa.Integer(), server_default='0', nullable=False),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operations'))
    )
    op.create_index('ix_operations_tenant_created', 'operations', ['tenant', 'created_at'], unique=False)
    enable_row_level_security(op, tables=("operations",), grant_tables=("operations",))


def downgrade() -> None:
    op.drop_index('ix_operations_tenant_created', table_name='operations')
    op.drop_table('operations')
