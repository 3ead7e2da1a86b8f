"""Alembic migrations of the SQL schema, shipped inside the package."""
