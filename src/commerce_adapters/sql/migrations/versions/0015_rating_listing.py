"""rating listings: indexes on the rating sort's key, coalesce(rating, -1), unrated last

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

A listing sorted by rating orders by ``coalesce(rating, -1) DESC, id DESC`` and pages by a
keyset on the same expression (``schema.RATING_KEY``); these expression indexes let both
PostgreSQL and SQLite read such a page, of the whole catalog, of products in stock or of a
category, in order instead of sorting every match.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

_KEY = sa.text('coalesce(rating, -1)')


def upgrade() -> None:
    op.create_index('ix_products_active_rating', 'products', ['is_active', _KEY, 'id'])
    op.create_index('ix_products_listing_rating', 'products',
                    ['is_active', 'in_stock', _KEY, 'id'])
    op.create_index('ix_products_category_rating', 'products',
                    ['category_id', 'is_active', _KEY, 'id'])


def downgrade() -> None:
    op.drop_index('ix_products_category_rating', table_name='products')
    op.drop_index('ix_products_listing_rating', table_name='products')
    op.drop_index('ix_products_active_rating', table_name='products')
