"""Personal data sealed at rest: members' ID numbers, phones and birth dates under the data key,
uniqueness by keyed digest, and the platform-wide person registry (one active county per ID).

Existing rows are converted in place. Where one ID number is already active in two counties,
the earlier record enters the registry and the later keeps its row; the next write to it is
refused until the county resolves it (a transfer or a correction).

Revision ID: 0004
Revises: 0001
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.common.db import APP_ROLE
from services.common.migrate import migration_data_key

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_members = sa.table(
    'members', sa.column('id'), sa.column('tenant'), sa.column('state'), sa.column('created_at'),
    sa.column('id_card_number'), sa.column('phone'), sa.column('birth_date'),
    sa.column('id_card_sealed'), sa.column('id_card_digest'), sa.column('phone_sealed'), sa.column('birth_date_sealed'),
)
_registry = sa.table('person_registry', sa.column('id_card_digest'), sa.column('county'), sa.column('member_id'))
_FIELDS = (('id_card_number', 'id_card_sealed'), ('phone', 'phone_sealed'), ('birth_date', 'birth_date_sealed'))


def upgrade() -> None:
    key = migration_data_key(op)
    conn = op.get_bind()
    op.create_table(
        'person_registry',
        sa.Column('id_card_digest', sa.String(length=64), nullable=False),
        sa.Column('county', sa.String(length=6), nullable=False),
        sa.Column('member_id', sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint('id_card_digest', name=op.f('pk_person_registry')),
    )
    op.create_index('ix_person_registry_county_member', 'person_registry', ['county', 'member_id'])
    with op.batch_alter_table('members') as batch_op:
        batch_op.add_column(sa.Column('id_card_sealed', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('id_card_digest', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('phone_sealed', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('birth_date_sealed', sa.String(length=100), nullable=True))

    registered: set[str] = set()
    rows = conn.execute(sa.select(_members.c.id, _members.c.tenant, _members.c.state, _members.c.id_card_number,
                                  _members.c.phone, _members.c.birth_date).order_by(_members.c.created_at)).all()
    for row in rows:
        digest = key.digest('id_card_number', row.id_card_number)
        conn.execute(sa.update(_members).where(_members.c.id == row.id).values(
            id_card_digest=digest, **{sealed: key.seal(plain, getattr(row, plain)) for plain, sealed in _FIELDS}))
        if row.state == 'MEMBER_ACTIVE' and digest not in registered:
            registered.add(digest)
            conn.execute(sa.insert(_registry).values(id_card_digest=digest, county=row.tenant, member_id=row.id))

    with op.batch_alter_table('members') as batch_op:
        batch_op.drop_index('uq_members_tenant_id_card')
        for plain, sealed in _FIELDS:
            batch_op.drop_column(plain)
            if sealed != 'phone_sealed':
                batch_op.alter_column(sealed, existing_type=sa.String(length=100), nullable=False)
        batch_op.alter_column('id_card_digest', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index('uq_members_tenant_id_card_digest', ['tenant', 'id_card_digest'], unique=True)
    if conn.dialect.name == 'postgresql':
        # Not under row-level security: a county asks it only whether a number is held elsewhere.
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON person_registry TO {APP_ROLE}")


def downgrade() -> None:
    key = migration_data_key(op)
    conn = op.get_bind()
    with op.batch_alter_table('members') as batch_op:
        batch_op.add_column(sa.Column('id_card_number', sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=11), server_default='', nullable=False))
        batch_op.add_column(sa.Column('birth_date', sa.String(length=10), nullable=True))
    for row in conn.execute(sa.select(_members.c.id, *(_members.c[sealed] for _, sealed in _FIELDS))).all():
        conn.execute(sa.update(_members).where(_members.c.id == row.id).values(
            **{plain: key.open(plain, getattr(row, sealed)) for plain, sealed in _FIELDS}))
    with op.batch_alter_table('members') as batch_op:
        batch_op.drop_index('uq_members_tenant_id_card_digest')
        batch_op.drop_column('id_card_digest')
        for plain, sealed in _FIELDS:
            batch_op.drop_column(sealed)
            if plain != 'phone':
                batch_op.alter_column(plain, existing_type=sa.String(length=18 if plain == 'id_card_number' else 10),
                                      nullable=False)
        batch_op.create_index('uq_members_tenant_id_card', ['tenant', 'id_card_number'], unique=True)
    op.drop_index('ix_person_registry_county_member', table_name='person_registry')
    op.drop_table('person_registry')
