"""shop settings: tax, shipping and fraud settings as data; coupons listed by seller

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commerce_adapters.sql.types import UtcDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'shop_settings',
        sa.Column('section', sa.String(length=32), nullable=False),
        sa.Column('data', sa.JSON(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint('section', name=op.f('pk_shop_settings')))
    op.add_column('coupons', sa.Column('seller_id', sa.BigInteger(), nullable=True))
    op.create_index('ix_coupons_seller_id', 'coupons', ['seller_id'])
    # the scope so far lived only in the coupon's JSON: copy it out, row by row (few rows)
    coupons = sa.table('coupons', sa.column('code', sa.String), sa.column('data', sa.JSON),
                       sa.column('seller_id', sa.BigInteger))
    bind = op.get_bind()
    for code, data in bind.execute(sa.select(coupons.c.code, coupons.c.data)).all():
        seller = (data or {}).get('seller_id')
        if seller is not None:
            bind.execute(coupons.update().where(coupons.c.code == code)
                         .values(seller_id=seller))


def downgrade() -> None:
    op.drop_index('ix_coupons_seller_id', table_name='coupons')
    with op.batch_alter_table('coupons') as batch:  # SQLite rebuilds the table for it
        batch.drop_column('seller_id')
    op.drop_table('shop_settings')
