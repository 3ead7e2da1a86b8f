"""fake gateway ledger: the fake payment gateway's charges and refunds in the database

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commerce_adapters.sql.types import Amount

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'fake_gateway_charges',
        sa.Column('idempotency_key', sa.String(255), nullable=False),
        sa.Column('transaction_id', sa.String(64), nullable=False),
        sa.Column('amount', Amount(), nullable=False),
        sa.Column('currency', sa.String(3), nullable=False),
        sa.Column('status', sa.String(24), nullable=False),
        sa.Column('decline_reason', sa.String(100), nullable=False),
        sa.Column('refunded', Amount(), nullable=False),
        sa.Column('voided', sa.Boolean(), nullable=False),
        sa.Column('answer_lost', sa.Boolean(), nullable=False),
        sa.Column('client_secret', sa.String(100), nullable=False),
        sa.Column('metadata', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('idempotency_key', name=op.f('pk_fake_gateway_charges')),
        sa.UniqueConstraint('transaction_id',
                            name=op.f('uq_fake_gateway_charges_transaction_id')))
    op.create_table(
        'fake_gateway_refunds',
        sa.Column('idempotency_key', sa.String(255), nullable=False),
        sa.Column('refund_id', sa.String(64), nullable=False),
        sa.Column('transaction_id', sa.String(64), nullable=False),
        sa.Column('amount', Amount(), nullable=False),
        sa.PrimaryKeyConstraint('idempotency_key', name=op.f('pk_fake_gateway_refunds')))


def downgrade() -> None:
    op.drop_table('fake_gateway_refunds')
    op.drop_table('fake_gateway_charges')
