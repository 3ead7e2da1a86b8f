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
# Our own version table: a host application's Alembic keeps ``alembic_version`` to itself
# on the same database. Releases before this one used that default table.
VERSION_TABLE = "commerce_alembic_version"
LEGACY_VERSION_TABLE = "alembic_version"


def _config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def head() -> str:
    """The newest revision this release ships."""
    current = _scripts().get_current_head()
    if current is None:
        raise RuntimeError("no migrations shipped")
    return current


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config("sqlite:///unused"))


def current(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return _context(conn).get_current_revision()


def _context(conn: sa.Connection) -> MigrationContext:
    return MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})


def adopt_legacy_version(conn: sa.Connection) -> str | None:
    """Move our revision from ``alembic_version`` (where releases before this one kept it)
    to :data:`VERSION_TABLE`; drop the old table only if nothing else was in it. Rows of
    other revisions (a host application's) stay. Returns the revision moved, if any."""
    tables = sa.inspect(conn).get_table_names()
    if LEGACY_VERSION_TABLE not in tables or VERSION_TABLE in tables:
        return None
    legacy = sa.table(LEGACY_VERSION_TABLE, sa.column("version_num", sa.String))
    found = {row[0] for row in conn.execute(sa.select(legacy.c.version_num))}
    ours = {r.revision for r in _scripts().walk_revisions()}
    moved = sorted(found & ours)
    if not moved:
        return None
    if len(moved) > 1:  # our history is linear: two of ours is not a state we wrote
        raise RuntimeError(f"{LEGACY_VERSION_TABLE} holds several commerce revisions: {moved}")
    revision: str = moved[0]
    _context(conn).stamp(_scripts(), revision)
    if found == set(moved):
        conn.execute(sa.text(f"DROP TABLE {LEGACY_VERSION_TABLE}"))
    else:
        conn.execute(legacy.delete().where(legacy.c.version_num == revision))
    return revision


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
