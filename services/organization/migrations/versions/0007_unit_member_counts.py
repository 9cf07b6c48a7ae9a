"""Units carry their count of active members as a column that every write of members keeps
(adapters/repositories/member_counts.py), so ListUnits and GetUnit read it instead of counting
members per listed unit. Existing counts are backfilled from the members as they are.

Revision ID: 0007
Revises: 0006
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_units = sa.table('units', sa.column('tenant'), sa.column('id'), sa.column('member_count'))
_members = sa.table('members', sa.column('tenant'), sa.column('unit_id'), sa.column('state'))


def upgrade() -> None:
    op.add_column('units', sa.Column('member_count', sa.Integer(), nullable=False, server_default='0'))
    # The owner migrates, so row-level security does not hide any county's rows here.
    active = sa.select(sa.func.count()).where(
        _members.c.tenant == _units.c.tenant, _members.c.unit_id == _units.c.id,
        _members.c.state == 'MEMBER_ACTIVE').scalar_subquery()
    op.execute(sa.update(_units).values(member_count=active))


def downgrade() -> None:
    with op.batch_alter_table('units') as batch:
        batch.drop_column('member_count')
