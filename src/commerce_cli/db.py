"""``commerce db``: schema migrations of the SQL backend."""

from __future__ import annotations

import typer

from commerce_adapters.bootstrap import part_url, scheme
from commerce_adapters.urls import shown
from commerce_cli.errors import domain_errors
from commerce_cli.output import group
from commerce_cli.target import sqlite_file, target

app = group("Database schema: upgrade it, see where it is.")


@app.command()
def upgrade(ctx: typer.Context) -> None:
    """Migrate the database to this release's schema (safe to run again)."""
    from commerce_adapters.sql import migrate  # noqa: PLC0415 - only SQL databases migrate

    database_url = target(ctx).database()
    with domain_errors():
        revision = migrate.upgrade(database_url)
    typer.echo(f"schema at revision {revision}")
    catalog_url = part_url("COMMERCE_CATALOG_URL", database_url)
    if scheme(catalog_url) == "mongodb":  # the catalog on MongoDB: its indexes
        from commerce_adapters.mongo import store  # noqa: PLC0415 - pymongo on demand

        with domain_errors():
            indexes = store.upgrade(catalog_url)
        typer.echo(f"catalog {shown(catalog_url)}: {len(indexes)} indexes in place")


@app.command()
def current(ctx: typer.Context) -> None:
    """Print the schema revision of the database and the one this release needs."""
    from commerce_adapters.sql import migrate  # noqa: PLC0415 - only SQL databases migrate

    url = target(ctx).database()
    file = sqlite_file(url)
    with domain_errors():  # looking must not make the file
        found = None if file and not file.exists() else migrate.revision_of(url)
    typer.echo(f"database: {found or 'empty'}; this release: {migrate.head()}")
