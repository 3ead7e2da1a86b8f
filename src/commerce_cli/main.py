"""Entry point of the ``commerce`` console script."""

from __future__ import annotations

from importlib.metadata import version

import typer

from commerce_cli.serve import serve

app = typer.Typer(help="The commerce SDK's command line.", no_args_is_help=True)


@app.callback()
def _root() -> None:
    """Operate a commerce shop."""


@app.command("version")
def show_version() -> None:
    """Print the installed commerce-sdk version."""
    typer.echo(version("commerce-sdk"))


app.command("serve")(serve)


def main() -> None:
    app()
