"""``commerce search``: the product index for operators: rebuild it, see it, try queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from commerce_cli.amounts import amount
from commerce_cli.errors import domain_errors, err
from commerce_cli.output import Json, emit, emit_record
from commerce_cli.target import target

app = typer.Typer(help="The product search index: rebuild it, see its state, try queries.",
                  no_args_is_help=True, rich_markup_mode="markdown")


@app.command()
def reindex(ctx: typer.Context, json_out: Json = False) -> None:
    """Rebuild the index from the catalog (searches keep answering from the old one until
    it is swapped in, where the index can do that: SQL, Elasticsearch)."""
    with domain_errors():
        shop = target(ctx).open()
        with Progress(TextColumn("indexing"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err, disable=json_out) as bar:
            task = bar.add_task("indexing", total=None)
            count = shop.search.reindex(lambda n: bar.update(task, total=n),
                                        lambda n: bar.advance(task, n))
    if json_out:
        emit_record({"documents": count}, True)
    else:
        typer.echo(f"indexed {count} products")


@app.command()
def status(ctx: typer.Context, json_out: Json = False) -> None:
    """Where the index is and how many documents it holds."""
    with domain_errors():
        state = target(ctx).open().search.state()
    emit_record({"backend": state.backend, "documents": state.documents,
                 "detail": state.detail}, json_out, "search index")


@app.command()
def query(ctx: typer.Context, text: Annotated[str, typer.Argument(help="What to search.")],
          category: Annotated[int | None, typer.Option(help="A category id (with its "
                                                            "sub-tree).")] = None,
          max_price: Annotated[Decimal | None, typer.Option(parser=amount)] = None,
          sort: Annotated[str, typer.Option(help="relevance, price_asc, price_desc, rating, "
                                                 "newest")] = "relevance",
          limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
          json_out: Json = False) -> None:
    """Run a search as a shopper would (nothing is recorded) and show the hits."""
    with domain_errors():
        shop = target(ctx).open()
        found = shop.search.search(None, text=text, category_id=category,
                                   max_price=max_price, sort=sort, limit=limit, record=False)
        names = {s.product_id: s for s in shop.catalog.summaries(
            [h.product_id for h in found.hits])}
    rows = [{"product_id": h.product_id, "name": names[h.product_id].name,
             "price": names[h.product_id].price.amount, "score": round(h.score, 4)}
            for h in found.hits if h.product_id in names]
    more = "" if found.total_is_exact else "+"
    emit(rows, ["product_id", "name", "price", "score"], json_out,
         f"{found.total}{more} matches" + (" (typos corrected)" if found.corrected else ""))


@app.command()
def suggest(ctx: typer.Context, prefix: str, json_out: Json = False) -> None:
    """The completions a shopper typing PREFIX is offered."""
    with domain_errors():
        found = target(ctx).open().search.suggest(prefix)
    emit([{"text": s.text, "kind": s.kind} for s in found], ["text", "kind"], json_out)
