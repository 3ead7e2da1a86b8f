"""Schema migrations: upgrade a database to this release's schema, or check it is there."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from commerce_adapters.sql.database import create_engine, normalize_url
from commerce_adapters.sql.errors import opening
from commerce_core.errors import Unavailable

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def head() -> str:
    """The newest revision this release ships."""
    current = ScriptDirectory.from_config(_config("sqlite:///unused")).get_current_head()
    if current is None:
        raise RuntimeError("no migrations shipped")
    return current


def current(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def revision_of(url: str) -> str | None:
    """The schema revision of the database at ``url`` (None: empty); Unavailable if it
    cannot be reached."""
    engine = create_engine(url)
    try:
        with opening(url):
            return current(engine)
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> str:
    """Bring the database at ``url`` to ``revision`` (the newest by default); returns it.
    Safe to run again; each migration runs in its own transaction."""
    engine = create_engine(url)
    try:
        with opening(url), engine.begin() as conn:
            config = _config(url)
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
        return current(engine) or ""
    finally:
        engine.dispose()


def require_current(engine: sa.Engine) -> None:
    """Refuse to run against a schema this release was not written for."""
    found, wanted = current(engine), head()
    if found != wanted:
        raise Unavailable(
            f"the database schema is at revision {found or 'none (empty database)'}, this "
            f"release needs {wanted}: run commerce_adapters.sql.migrate.upgrade(url) or "
            "`commerce db upgrade`", {"schema": found, "needed": wanted})
