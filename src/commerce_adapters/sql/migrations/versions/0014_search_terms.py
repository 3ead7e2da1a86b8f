"""search terms: PostgreSQL's vocabulary as a table with a trigram index, for typo tolerance

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

Every term of an indexed document is added as the document is written, so a word indexed by
one process is correctable at once in every other (pg_trgm similarity, then edit distance).
Filled here from the documents already indexed. SQLite reads FTS5's own vocabulary instead.
"""

from __future__ import annotations

from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("CREATE TABLE search_terms (term text PRIMARY KEY)")
    op.execute("CREATE INDEX ix_search_terms_trigram ON search_terms "
               "USING gin (term gin_trgm_ops)")
    op.execute("INSERT INTO search_terms SELECT word FROM "
               "ts_stat('SELECT tsv FROM search_documents')")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TABLE search_terms")
