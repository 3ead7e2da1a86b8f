"""``commerce serve``: the HTTP API on a multi-worker server."""

from __future__ import annotations

import os
from typing import Annotated

import attrs
import typer
from rich.markup import escape

from commerce_cli.errors import err
from commerce_cli.target import target


def serve(ctx: typer.Context,
          host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(min=1, max=65535, help="Port to bind.")] = 8000,
          workers: Annotated[int | None, typer.Option(
              min=1, max=64, show_default=False,
              help="Worker processes [default: COMMERCE_WORKERS, else 2].")] = None
          ) -> None:
    """Serve the /api/v1 HTTP API (gunicorn; SIGTERM stops it gracefully: requests already
    accepted are answered, within COMMERCE_GRACEFUL_TIMEOUT seconds)."""
    try:
        from commerce_http.server import serve as run  # noqa: PLC0415 - an optional extra
        from commerce_http.settings import ServeSettings, SettingError  # noqa: PLC0415
    except ImportError:
        typer.echo("commerce serve needs the http extra: pip install 'commerce-sdk[http]'",
                   err=True)
        raise typer.Exit(code=1) from None
    try:  # checked here, once, rather than by every worker after the fork
        settings = ServeSettings.from_environment()
    except SettingError as ex:  # the environment cannot work: a usage error, exit code 2
        err.print(f"[red]error:[/red] {escape(str(ex))}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    if workers is not None:
        settings = attrs.evolve(settings, workers=workers)
    database_url = target(ctx).database_url
    if database_url:  # the workers read their settings from the environment
        os.environ["COMMERCE_DATABASE_URL"] = database_url
    run(host, port, settings)
