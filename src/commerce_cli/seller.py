"""``commerce seller``: a seller's products, stock, orders, refunds, reviews and figures.

Locally ``--as EMAIL`` names the seller to act as; with ``--api`` the account of
``commerce login`` acts.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any

import attrs
import typer
from rich.table import Table

from commerce_cli import catalog, fulfilment
from commerce_cli.errors import domain_errors
from commerce_cli.output import Json, console, emit, emit_record, group
from commerce_cli.period import Since, Until, period
from commerce_cli.target import target

app = group("My products, stock, orders, refunds, reviews and sales.")
inventory = group("Stock: view, restock, adjust, low stock.")
orders = group("Orders with my items.")
refunds = group("Refund items of an order; the refunds made.")
reviews = group("Reviews of my products, and my answers.")
app.add_typer(catalog.products, name="products")
app.add_typer(catalog.variants, name="variants")
app.add_typer(inventory, name="inventory")
app.add_typer(orders, name="orders")
app.add_typer(refunds, name="refunds")
app.add_typer(reviews, name="reviews")
app.add_typer(fulfilment.app, name="shipments")
inventory.command("movements")(fulfilment.movements)

STOCK_COLUMNS = ["variant_id", "sku", "product_name", "available", "reserved", "sold",
                 "reorder_level", "low_stock"]


@app.callback()
def _seller(ctx: typer.Context, as_: Annotated[str | None, typer.Option(
        "--as", envvar="COMMERCE_SELLER",
        help="Local mode: the seller (email or id) to act as.")] = None) -> None:
    ctx.obj = attrs.evolve(target(ctx), seller=as_)


@inventory.command("list")
def stock(ctx: typer.Context, low: Annotated[bool, typer.Option(
        "--low", help="Only what is at or below its reorder level.")] = False,
          json_out: Json = False) -> None:
    """Stock of every variant I sell."""
    with domain_errors():
        rows = target(ctx).as_seller().inventory(low)
    emit(rows, STOCK_COLUMNS, json_out, f"{len(rows)} {'low ' if low else ''}variants")


@inventory.command("low")
def low_stock(ctx: typer.Context, json_out: Json = False) -> None:
    """Variants at or below their reorder level."""
    stock(ctx, low=True, json_out=json_out)


@inventory.command("restock")
def restock(ctx: typer.Context, variant_id: int,
            quantity: Annotated[int, typer.Argument(min=1)]) -> None:
    """Add received stock."""
    with domain_errors():
        item = target(ctx).as_seller().restock(variant_id, quantity)
    typer.echo(f"variant {variant_id}: {item['quantity_available']} available")


@inventory.command("adjust")
def adjust(ctx: typer.Context, variant_id: int,
           by: Annotated[int, typer.Option("--by", help="Units to add (negative: remove).")],
           reason: Annotated[str, typer.Option(help="Why (kept with the movement).")]) -> None:
    """Correct stock by a count, with a reason (damage, recount, loss)."""
    with domain_errors():
        item = target(ctx).as_seller().adjust_stock(variant_id, by, reason)
    typer.echo(f"variant {variant_id}: {item['quantity_available']} available")


@inventory.command("reorder-level")
def reorder_level(ctx: typer.Context, variant_id: int,
                  level: Annotated[int, typer.Argument(min=0)]) -> None:
    """Set the level at or below which a variant counts as low."""
    with domain_errors():
        target(ctx).as_seller().set_reorder_level(variant_id, level)
    typer.echo(f"variant {variant_id}: low at {level} or fewer")


@orders.command("list")
def list_orders(ctx: typer.Context, status: Annotated[str | None, typer.Option(
        help="e.g. PAID, SHIPPED.")] = None, page: Annotated[int, typer.Option(min=1)] = 1,
                limit: Annotated[int, typer.Option(min=1, max=100)] = 50,
                json_out: Json = False) -> None:
    """Orders holding my items, newest first (only my items shown)."""
    with domain_errors():
        found = target(ctx).as_seller().seller_orders(status and status.upper(), page, limit)
    if json_out:
        emit(found.items, [], True)
        return
    rows = [{"order_id": o["order_id"], "status": o["status"], "created_at": o["created_at"],
             "items": ", ".join(f"{i['order_item_id']}: {i['quantity']} x {i['sku']} "
                                f"({i['status']})" for i in o["items"])}
            for o in found.items]
    emit(rows, ["order_id", "status", "created_at", "items"], False,
         f"{found.total_count} orders")


@refunds.command("issue")
def refund(ctx: typer.Context, order_id: int,
           item_ids: Annotated[list[int], typer.Argument(help="Order item ids to refund.")],
           reason: Annotated[str, typer.Option(help="Told to the customer.")],
           restock_items: Annotated[bool, typer.Option(
               "--restock", help="Put the items back in stock.")] = False,
           key: Annotated[str | None, typer.Option(
               help="Idempotency key: the same key never refunds twice.")] = None) -> None:
    """Refund whole items of an order to the customer's payment."""
    with domain_errors():
        done = target(ctx).as_seller().refund_items(order_id, item_ids, reason, restock_items,
                                                    key)
    typer.echo(f"refund {done['refund_id']}: {done['amount']} {done['currency']} "
               f"{done['status'].lower()}")


@refunds.command("list")
def list_refunds(ctx: typer.Context, since: Since = None, until: Until = None,
                 json_out: Json = False) -> None:
    """Refunds of my items, newest first (the last 30 days by default)."""
    with domain_errors():
        start, end = period(since, until)
        rows = target(ctx).as_seller().seller_refunds(start, end)
    emit(rows, ["refund_id", "order_id", "order_item_ids", "amount", "currency", "status",
                "reason", "created_at"], json_out, f"{len(rows)} refunds, {start} to {end}")


@reviews.command("list")
def list_reviews(ctx: typer.Context, product_id: int,
                 page: Annotated[int, typer.Option(min=1)] = 1,
                 limit: Annotated[int, typer.Option(min=1, max=100)] = 50,
                 unanswered: Annotated[bool, typer.Option(
                     "--unanswered", help="Only those I have not answered yet.")]
                 = False, json_out: Json = False) -> None:
    """A product's reviews, newest first, with my answers."""
    with domain_errors():
        listing = target(ctx).as_seller().product_reviews(product_id, page, limit, unanswered)
    if json_out:
        emit_record(listing, True)
        return
    rows = [{**r, "answered": "yes" if r.get("seller_response") else ""}
            for r in listing["reviews"]]
    emit(rows, ["review_id", "rating", "title", "comment", "answered"], False,
         f"{listing['matching_count']} of {listing['total_count']} reviews, average "
         f"{listing['average_rating']}")


@reviews.command("respond")
def respond(ctx: typer.Context, review_id: int, text: str) -> None:
    """Answer a review of one of my products (answering again replaces it)."""
    with domain_errors():
        target(ctx).as_seller().respond_to_review(review_id, text)
    typer.echo(f"answered review {review_id}")


@app.command("analytics")
def analytics(ctx: typer.Context, since: Since = None, until: Until = None,
              currency: Annotated[str | None, typer.Option(
                  help="Currency of the chart (default: the one with most revenue).")] = None,
              json_out: Json = False) -> None:
    """Sales for a date range: totals, top products, and revenue per day as a chart."""
    start, end = period(since, until)
    with domain_errors():
        report = target(ctx).as_seller().seller_sales(start, end)
    if json_out:
        emit_record(report, True)
        return
    emit_record({k: report[k] for k in ("revenue", "orders", "units", "refunds",
                                        "average_rating")}, False, f"{start} to {end}")
    if report["top_products"]:
        emit(report["top_products"], ["product_id", "name", "units", "revenue"], False,
             "top products")
    revenue: dict[str, Any] = report["revenue"]  # per currency, as decimal strings
    chosen = (currency or max(revenue, key=lambda c: Decimal(revenue[c])) if revenue
              else "USD").upper()
    console.print(chart(report["per_day"], start, end, chosen))


def chart(per_day: list[dict[str, Any]], start: date, end: date, currency: str,
          width: int = 40) -> Table:
    """Revenue per day as horizontal bars, every day of the range shown (gaps are zero)."""
    by_day = {str(d["date"]): Decimal(d["revenue"].get(currency, 0)) for d in per_day}
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    values = [by_day.get(d.isoformat(), Decimal(0)) for d in days]
    top = max(values, default=Decimal(0))
    table = Table("day", f"revenue ({currency})", "", title="revenue per day", box=None)
    for day, value in zip(days, values, strict=True):
        bar = "█" * round(value / top * width) if top else ""
        table.add_row(day.isoformat(), f"[green]{bar}[/green]", str(value))
    return table
