"""listing summaries: products.in_stock kept where stock moves, and listing indexes

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

``in_stock`` is backfilled from the stock rows: some active variant with available stock.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_BACKFILL = """
UPDATE products SET in_stock = EXISTS (
    SELECT 1 FROM variants JOIN inventory ON inventory.variant_id = variants.id
    WHERE variants.product_id = products.id AND variants.is_active
      AND inventory.quantity_available > 0)
"""


def upgrade() -> None:
    op.add_column('products', sa.Column('in_stock', sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    op.execute(_BACKFILL)
    op.create_index('ix_products_active_newest', 'products', ['is_active', 'id'])
    op.create_index('ix_products_listing_price', 'products',
                    ['is_active', 'in_stock', 'min_price', 'id'])
    op.create_index('ix_products_active_price', 'products', ['is_active', 'min_price', 'id'])
    op.create_index('ix_products_category_listing', 'products',
                    ['category_id', 'is_active', 'id'])


def downgrade() -> None:
    op.drop_index('ix_products_category_listing', table_name='products')
    op.drop_index('ix_products_active_price', table_name='products')
    op.drop_index('ix_products_active_newest', table_name='products')
    op.drop_index('ix_products_listing_price', table_name='products')
    with op.batch_alter_table('products') as batch:
        batch.drop_column('in_stock')
