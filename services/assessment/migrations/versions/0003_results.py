"""Results: one row per target of a round (provisional, then final), scores in hundredths; RLS on PostgreSQL.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 02:36:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.common.migrate import enable_row_level_security

RESULT_TABLES = ("results",)

# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('results',
    sa.Column('tenant', sa.String(length=6), nullable=False),
    sa.Column('round_id', sa.String(length=40), nullable=False),
    sa.Column('target_id', sa.String(length=40), nullable=False),
    sa.Column('unit_id', sa.String(length=40), nullable=False),
    sa.Column('member_id', sa.String(length=40), server_default='', nullable=False),
    sa.Column('township_id', sa.String(length=40), nullable=False),
    sa.Column('unit_path', sa.Text(), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('final', sa.Boolean(), nullable=False),
    sa.Column('base_centi', sa.BigInteger(), nullable=False),
    sa.Column('deductions_centi', sa.BigInteger(), nullable=False),
    sa.Column('total_centi', sa.BigInteger(), nullable=False),
    sa.Column('grade_before', sa.String(length=40), nullable=False),
    sa.Column('grade', sa.String(length=40), nullable=False),
    sa.Column('grade_index', sa.Integer(), nullable=False),
    sa.Column('rank_in_township', sa.Integer(), nullable=False),
    sa.Column('rank_in_scope', sa.Integer(), nullable=False),
    sa.Column('weak', sa.Boolean(), nullable=False),
    sa.Column('holds_title', sa.Boolean(), nullable=False),
    sa.Column('last_place_streak', sa.Integer(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('previous_round_id', sa.String(length=40), server_default='', nullable=False),
    sa.Column('previous_grade', sa.String(length=40), server_default='', nullable=False),
    sa.Column('previous_total_centi', sa.BigInteger(), nullable=True),
    sa.Column('previous_rank', sa.Integer(), nullable=True),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant', 'round_id', 'target_id', name=op.f('pk_results'))
    )
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.create_index('ix_results_tenant_round_id_rank_in_scope',
                              ['tenant', 'round_id', 'rank_in_scope', 'target_id'], unique=False)
        batch_op.create_index('ix_results_tenant_round_id_township_id',
                              ['tenant', 'round_id', 'township_id', 'rank_in_scope', 'target_id'], unique=False)
    enable_row_level_security(op, tables=RESULT_TABLES, grant_tables=RESULT_TABLES)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.drop_index('ix_results_tenant_round_id_township_id')
        batch_op.drop_index('ix_results_tenant_round_id_rank_in_scope')
    op.drop_table('results')
