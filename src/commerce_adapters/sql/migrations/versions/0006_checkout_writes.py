"""checkout writes: orders carry a version; a reservation's lines live in its row

Revision ID: 0006
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0002'
branch_labels = None
depends_on = None

_reservations = sa.table('reservations', sa.column('id', sa.BigInteger()),
                         sa.column('lines', sa.JSON()))
_lines = sa.table('reservation_lines', sa.column('reservation_id', sa.BigInteger()),
                  sa.column('variant_id', sa.BigInteger()), sa.column('quantity', sa.Integer()))


def upgrade() -> None:
    with op.batch_alter_table('orders') as batch:
        batch.add_column(sa.Column('version', sa.Integer(), server_default='0',
                                   nullable=False))
    with op.batch_alter_table('reservations') as batch:
        batch.add_column(sa.Column('lines', sa.JSON(), server_default=sa.text("'[]'"),
                                   nullable=False))
    conn = op.get_bind()
    held: dict[int, list[list[int]]] = defaultdict(list)
    for r in conn.execute(sa.select(_lines).order_by(_lines.c.reservation_id,
                                                     _lines.c.variant_id)):
        held[r.reservation_id].append([r.variant_id, r.quantity])
    for reservation_id, lines in held.items():
        conn.execute(_reservations.update().where(_reservations.c.id == reservation_id)
                     .values(lines=lines))
    op.drop_table('reservation_lines')
    with op.batch_alter_table('reservations') as batch:
        batch.alter_column('lines', server_default=None)


def downgrade() -> None:
    op.create_table(
        'reservation_lines',
        sa.Column('reservation_id', sa.BigInteger(), nullable=False),
        sa.Column('variant_id', sa.BigInteger(), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['reservation_id'], ['reservations.id'],
                                name=op.f('fk_reservation_lines_reservation_id_reservations'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('reservation_id', 'variant_id',
                                name=op.f('pk_reservation_lines')))
    conn = op.get_bind()
    rows = [{'reservation_id': r.id, 'variant_id': v, 'quantity': q}
            for r in conn.execute(sa.select(_reservations)) for v, q in r.lines]
    if rows:
        conn.execute(_lines.insert(), rows)
    with op.batch_alter_table('reservations') as batch:
        batch.drop_column('lines')
    with op.batch_alter_table('orders') as batch:
        batch.drop_column('version')
