"""reservations record when they ended: a hold's trail is its row, not stock movements

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The RESERVE/RELEASE/EXPIRE movements already written stay: they are history.
    with op.batch_alter_table('reservations') as batch:
        batch.add_column(sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reservations') as batch:
        batch.drop_column('ended_at')
