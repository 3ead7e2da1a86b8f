"""The SQL backend: PostgreSQL and SQLite through SQLAlchemy 2 Core, migrated by Alembic."""
