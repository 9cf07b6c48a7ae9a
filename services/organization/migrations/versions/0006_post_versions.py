"""Posts carry a version, as units and members do: it grows when a post ends or a merge moves it,
and is the post's etag and the version of its snapshot in events (docs/directory.md).

Revision ID: 0006
Revises: 0005
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing posts start at 1, as a new one does.
    op.add_column('posts', sa.Column('version', sa.Integer(), nullable=False, server_default='1'))


def downgrade() -> None:
    with op.batch_alter_table('posts') as batch:
        batch.drop_column('version')
