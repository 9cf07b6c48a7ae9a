"""Rectification ledger (问题台账): cases, their problems and the problems' notes; RLS on PostgreSQL.

Revision ID: 0004
Revises: 0002 (the integrator chains it after 0003 at merge)
Create Date: 2026-12-04 02:40:00
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

TABLES = ('cases', 'case_problems', 'case_notes')


def upgrade() -> None:
    op.create_table('cases',
    sa.Column('tenant', sa.String(length=6), nullable=False),
    sa.Column('id', sa.String(length=24), nullable=False),
    sa.Column('unit_id', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('source_round', sa.String(length=80), server_default='', nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('supervision_days', sa.Integer(), nullable=False),
    sa.Column('next_supervision_on', sa.Date(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by', sa.String(length=100), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('tenant', 'id', name=op.f('pk_cases'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_tenant_unit', ['tenant', 'unit_id'], unique=False)
        batch_op.create_index('ix_cases_tenant_state_supervision', ['tenant', 'state', 'next_supervision_on'],
                              unique=False)

    op.create_table('case_problems',
    sa.Column('tenant', sa.String(length=6), nullable=False),
    sa.Column('case_id', sa.String(length=24), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('owner_display_name', sa.String(length=50), nullable=False),
    sa.Column('owner_member_id', sa.String(length=40), server_default='', nullable=False),
    sa.Column('owner_subject', sa.String(length=100), server_default='', nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('closure_requested_by', sa.String(length=100), server_default='', nullable=False),
    sa.Column('closed_by', sa.String(length=100), server_default='', nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('overdue_announced', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('tenant', 'case_id', 'number', name=op.f('pk_case_problems'))
    )
    with op.batch_alter_table('case_problems', schema=None) as batch_op:
        batch_op.create_index('ix_case_problems_tenant_state_deadline', ['tenant', 'state', 'deadline'],
                              unique=False)

    op.create_table('case_notes',
    sa.Column('tenant', sa.String(length=6), nullable=False),
    sa.Column('case_id', sa.String(length=24), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant', 'case_id', 'number', 'seq', name=op.f('pk_case_notes'))
    )

    enable_row_level_security(op, tables=TABLES, grant_tables=TABLES)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
