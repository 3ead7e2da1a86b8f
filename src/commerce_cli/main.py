"""Entry point of the ``commerce`` console script."""

from __future__ import annotations

from importlib.metadata import version

import typer

from commerce_cli import admin, db, settings
from commerce_cli.demo import demo
from commerce_cli.serve import serve
from commerce_cli.worker import worker

app = typer.Typer(help="The commerce SDK's command line.", no_args_is_help=True)


@app.callback()
def _root() -> None:
    """Operate a commerce shop."""


@app.command("version")
def show_version() -> None:
    """Print the installed commerce-sdk version."""
    typer.echo(version("commerce-sdk"))


app.command("serve")(serve)
app.command("demo")(demo)
app.command("worker")(worker)
app.add_typer(db.app, name="db")
app.add_typer(settings.app, name="config")
app.add_typer(admin.app, name="admin")


def main() -> None:
    app()
