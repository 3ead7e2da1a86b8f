"""users: the seed's optional first and last names beside the display name

Rows written before keep their ``name`` and get empty first and last names.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('first_name', sa.String(length=100), server_default='',
                                   nullable=False))
        batch.add_column(sa.Column('last_name', sa.String(length=100), server_default='',
                                   nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('last_name')
        batch.drop_column('first_name')
