"""event consumers: the events each consumer group has processed

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commerce_adapters.sql.types import UtcDateTime

revision = '0009'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'processed_events',
        sa.Column('consumer_group', sa.String(length=128), nullable=False),
        sa.Column('event_id', sa.String(length=64), nullable=False),
        sa.Column('processed_at', UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('consumer_group', 'event_id', name=op.f('pk_processed_events')))
    op.create_index('ix_processed_events_processed_at', 'processed_events', ['processed_at'])


def downgrade() -> None:
    op.drop_index('ix_processed_events_processed_at', table_name='processed_events')
    op.drop_table('processed_events')
