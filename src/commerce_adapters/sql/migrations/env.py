"""Alembic environment: runs on the connection ``migrate.upgrade`` hands over, or on the URL
in the config (``alembic -x`` use from a checkout)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from commerce_adapters.sql.database import create_engine
from commerce_adapters.sql.migrate import VERSION_TABLE, adopt_legacy_version
from commerce_adapters.sql.schema import metadata

config = context.config


def run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True, version_table=VERSION_TABLE)
    with context.begin_transaction():
        adopt_legacy_version(connection)  # a database of an older release: same transaction
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        run(conn)
    engine.dispose()
