"""SQL databases for tests: a migrated SQLite file to copy, a migrated and emptied
PostgreSQL database (the one COMMERCE_TEST_POSTGRES_URL names), and databases of their own
named after it (``<name>_<suffix>``); no test touches any other database of the server."""

from __future__ import annotations

import contextlib
import functools
import tempfile
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from commerce_adapters.sql import migrate
from commerce_adapters.sql.database import normalize_url
from commerce_adapters.sql.schema import metadata


@functools.cache
def sqlite_template() -> Path:
    """A SQLite file at the newest schema, made once per test run and copied per test."""
    path = Path(tempfile.mkdtemp(prefix="commerce-template-")) / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def _ensure_database(url: str) -> None:
    """Make the database ``url`` names when the server has none of that name (a new
    machine, or a name of the tester's own): tests make their own databases."""
    base = sa.engine.make_url(normalize_url(url))
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %(name)s",
                                    {"name": base.database}).first() is None:
                conn.exec_driver_sql(f'CREATE DATABASE "{base.database}"')
    finally:
        admin.dispose()


@functools.cache
def _migrated(url: str) -> sa.Engine:
    _ensure_database(url)
    migrate.upgrade(url)
    return sa.create_engine(normalize_url(url), pool_size=2)


def fresh_postgres(url: str) -> str:
    """``url`` migrated to the newest schema with every table emptied."""
    engine = _migrated(url)
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {names} CASCADE")
        for (name,) in conn.exec_driver_sql(
                "SELECT relname FROM pg_class WHERE relkind = 'S' "
                "AND relname LIKE 'commerce_seq_%%'"):
            conn.exec_driver_sql(f'ALTER SEQUENCE "{name}" RESTART')
    return url


@contextlib.contextmanager
def derived_postgres(url: str, suffix: str) -> Iterator[str]:
    """A new, empty database ``<database of url>_<suffix>`` on the server of ``url`` (never
    migrated), dropped after; one a crashed run left behind is dropped first."""
    base = sa.engine.make_url(normalize_url(url))
    name = f"{base.database}_{suffix}"
    # the server's maintenance database: the one of ``url`` may not exist yet
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


def empty_postgres(url: str) -> contextlib.AbstractContextManager[str]:
    """A new, empty database ``<database of url>_empty`` (never migrated), dropped after."""
    return derived_postgres(url, "empty")
