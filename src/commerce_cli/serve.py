"""``commerce serve``: the HTTP API on a multi-worker server."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from commerce_cli.target import target


def serve(ctx: typer.Context,
          host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(min=1, max=65535, help="Port to bind.")] = 8000,
          workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 2
          ) -> None:
    """Serve the /api/v1 HTTP API (gunicorn; SIGTERM stops it gracefully)."""
    try:
        from commerce_http.server import serve as run  # noqa: PLC0415 - an optional extra
    except ImportError:
        typer.echo("commerce serve needs the http extra: pip install 'commerce-sdk[http]'",
                   err=True)
        raise typer.Exit(code=1) from None
    database_url = target(ctx).database_url
    if database_url:  # the workers read their settings from the environment
        os.environ["COMMERCE_DATABASE_URL"] = database_url
    run(host, port, workers)
