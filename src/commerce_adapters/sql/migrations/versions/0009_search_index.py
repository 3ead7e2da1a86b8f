"""search index: documents, their categories and attributes; FTS5 or tsvector beside them

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

The index starts empty: ``commerce search reindex`` fills it from the catalog.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import commerce_adapters.sql.types

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# SQLite: an FTS5 table over the analysed terms (rowid = product id) with prefix indexes for
# the word being typed and suggestions, and a vocabulary view of it for typo correction.
_SQLITE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(name_terms, tags_terms, description_terms, "
    "prefix='2 3 4', tokenize='unicode61 remove_diacritics 0')",
    "CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, 'row')",
]
# PostgreSQL: the terms as a weighted tsvector (name A, tags B, description C), generated
# from the analysed columns (the 'simple' configuration only splits them; positions keep
# the weights), with a GIN index; pg_trgm on the
# lower-cased name, for suggestions of a mistyped prefix.
_POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE search_documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', name_terms), 'A') || "
    "setweight(to_tsvector('simple', tags_terms), 'B') || "
    "setweight(to_tsvector('simple', description_terms), 'C')) STORED",
    "CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)",
    # categories (with ancestors) and "key=value" attribute pairs on the row itself: the
    # side tables stay empty on PostgreSQL (filters probe these GIN indexes, facets unnest)
    "ALTER TABLE search_documents ADD COLUMN category_ids bigint[] NOT NULL DEFAULT '{}', "
    "ADD COLUMN attribute_pairs text[] NOT NULL DEFAULT '{}'",
    "CREATE INDEX ix_search_documents_category_ids ON search_documents "
    "USING gin (category_ids)",
    "CREATE INDEX ix_search_documents_attribute_pairs ON search_documents "
    "USING gin (attribute_pairs)",
    "CREATE INDEX ix_search_documents_name_trgm ON search_documents "
    "USING gin (lower(name) gin_trgm_ops)",
]


def upgrade() -> None:
    op.create_table(
        'search_documents',
        sa.Column('product_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('tags', sa.JSON(), nullable=False),
        sa.Column('attributes', sa.JSON(), nullable=False),
        sa.Column('name_terms', sa.Text(), nullable=False),
        sa.Column('tags_terms', sa.Text(), nullable=False),
        sa.Column('description_terms', sa.Text(), nullable=False),
        sa.Column('seller_id', sa.BigInteger(), nullable=False),
        sa.Column('min_price', commerce_adapters.sql.types.Amount(), nullable=False),
        sa.Column('price_bucket', sa.SmallInteger(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('rating', commerce_adapters.sql.types.Amount(), nullable=False),
        sa.Column('review_count', sa.Integer(), nullable=False),
        sa.Column('in_stock', sa.Boolean(), nullable=False),
        sa.Column('image', sa.Text(), nullable=True),
        sa.Column('created_at', commerce_adapters.sql.types.UtcDateTime(timezone=True),
                  nullable=False),
        sa.PrimaryKeyConstraint('product_id', name=op.f('pk_search_documents')))
    op.create_index('ix_search_documents_created_at', 'search_documents', ['created_at'])
    op.create_index(op.f('ix_search_documents_seller_id'), 'search_documents', ['seller_id'])
    op.create_index(op.f('ix_search_documents_min_price'), 'search_documents', ['min_price'])
    op.create_index(op.f('ix_search_documents_rating'), 'search_documents', ['rating'])
    op.create_table(
        'search_categories',
        sa.Column('product_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('category_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint('product_id', 'category_id', name=op.f('pk_search_categories')))
    op.create_index('ix_search_categories_category_id', 'search_categories',
                    ['category_id', 'product_id'])
    op.create_table(
        'search_attributes',
        sa.Column('product_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('value', sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint('product_id', 'key', name=op.f('pk_search_attributes')))
    op.create_index('ix_search_attributes_key', 'search_attributes',
                    ['key', 'value', 'product_id'])
    op.create_table(
        'search_name_prefixes',
        sa.Column('prefix', sa.String(length=3), nullable=False),
        sa.Column('product_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('review_count', sa.Integer(), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('terms', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('prefix', 'product_id', name=op.f('pk_search_name_prefixes')))
    op.create_index('ix_search_name_prefixes_walk', 'search_name_prefixes',
                    ['prefix', sa.text('review_count DESC'), 'name'])
    op.create_index('ix_search_name_prefixes_product_id', 'search_name_prefixes',
                    ['product_id'])
    statements = _POSTGRES if op.get_bind().dialect.name == 'postgresql' else _SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TABLE search_vocab")
        op.execute("DROP TABLE search_fts")
    op.drop_table('search_name_prefixes')
    op.drop_table('search_attributes')
    op.drop_table('search_categories')
    op.drop_table('search_documents')
