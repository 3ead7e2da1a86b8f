"""``commerce db``: schema migrations of the SQL backend."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from commerce_adapters.bootstrap import DEFAULT_DATABASE_URL
from commerce_cli.errors import domain_errors

app = typer.Typer(help="Database schema: upgrade it, see where it is.", no_args_is_help=True)
UrlOption = Annotated[str | None, typer.Option("--database-url",
                                               help="Overrides COMMERCE_DATABASE_URL.")]


def _url(given: str | None) -> str:
    return given or os.environ.get("COMMERCE_DATABASE_URL", DEFAULT_DATABASE_URL)


@app.command()
def upgrade(database_url: UrlOption = None) -> None:
    """Migrate the database to this release's schema (safe to run again)."""
    from commerce_adapters.sql import migrate  # noqa: PLC0415 - only SQL databases migrate

    with domain_errors():
        revision = migrate.upgrade(_url(database_url))
    typer.echo(f"schema at revision {revision}")


@app.command()
def current(database_url: UrlOption = None) -> None:
    """Print the schema revision of the database and the one this release needs."""
    from commerce_adapters.sql import migrate  # noqa: PLC0415 - only SQL databases migrate
    from commerce_adapters.sql.database import create_engine  # noqa: PLC0415

    with domain_errors():
        engine = create_engine(_url(database_url))
        try:
            found = migrate.current(engine)
        finally:
            engine.dispose()
    typer.echo(f"database: {found or 'empty'}; this release: {migrate.head()}")
