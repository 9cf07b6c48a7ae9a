"""Outbox: a per-tenant sequence in commit order (tenant_seq, outbox_sequences).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 05:30:00

Rows written before this revision are numbered per tenant in seq order, and each tenant's
counter starts after its last number.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.common.migrate import enable_row_level_security

revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('outbox_sequences',
    sa.Column('tenant', sa.String(length=6), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('tenant', name=op.f('pk_outbox_sequences'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tenant_seq', sa.BigInteger(), nullable=True))
    op.execute("UPDATE outbox SET tenant_seq = numbered.n FROM (SELECT seq, row_number() OVER "
               "(PARTITION BY tenant ORDER BY seq) AS n FROM outbox) AS numbered WHERE outbox.seq = numbered.seq")
    op.execute("INSERT INTO outbox_sequences (tenant, last_seq) "
               "SELECT tenant, max(tenant_seq) FROM outbox GROUP BY tenant")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('tenant_seq', existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_outbox_tenant_tenant_seq'), ['tenant', 'tenant_seq'])
    enable_row_level_security(op, tables=("outbox_sequences",), grant_tables=("outbox_sequences",))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_outbox_tenant_tenant_seq'), type_='unique')
        batch_op.drop_column('tenant_seq')
    op.drop_table('outbox_sequences')
