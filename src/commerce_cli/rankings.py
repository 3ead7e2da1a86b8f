"""``commerce rankings``: trending products and top sellers (the last 24 hours, at most 15
minutes stale). Locally they are this machine's view of the rankings store: with the cache
on Redis, every worker's; with the embedded memory cache, only this command's process."""

from __future__ import annotations

from typing import Annotated

import typer

from commerce_cli.errors import domain_errors
from commerce_cli.output import Json, emit, group
from commerce_cli.target import target

app = group("Trending products and top sellers.")
Limit = Annotated[int, typer.Option(min=1, max=100, help="How many.")]


@app.command("trending")
def trending(ctx: typer.Context, limit: Limit = 10, json_out: Json = False) -> None:
    """Products by signed-in views and units ordered."""
    with domain_errors():
        rows = target(ctx).as_admin().trending(limit)
    emit(rows, ["rank", "product_id", "score"], json_out, "trending products")


@app.command("top-sellers")
def top_sellers(ctx: typer.Context, limit: Limit = 10, json_out: Json = False) -> None:
    """Sellers by units sold."""
    with domain_errors():
        rows = target(ctx).as_admin().top_sellers(limit)
    emit(rows, ["rank", "seller_id", "score"], json_out, "top sellers")
