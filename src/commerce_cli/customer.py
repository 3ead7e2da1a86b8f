"""``commerce customer``: a customer's cart, checkout, payment and orders, through the same
operations as the HTTP API. Remotely the account of ``commerce login`` acts; locally the
customer named by ``--as``."""

from __future__ import annotations

import uuid
from typing import Annotated

import attrs
import typer

from commerce_cli.errors import domain_errors
from commerce_cli.output import Json, emit, emit_record, group
from commerce_cli.target import target
from commerce_http.api import cart, orders, payments
from commerce_http.contract.wire import Id, to_builtins

app = group("My cart, checkout, payments and orders.")
cart_app = group("My cart.")
orders_app = group("My orders.")
app.add_typer(cart_app, name="cart")
app.add_typer(orders_app, name="orders")
CART_COLUMNS = ["cart_item_id", "product_name", "sku", "quantity", "unit_price", "total_price"]
ORDER_COLUMNS = ["order_id", "order_number", "status", "payment_status", "total_amount",
                 "currency", "created_at"]


@app.callback()
def _customer(ctx: typer.Context, as_: Annotated[str | None, typer.Option(
        "--as", envvar="COMMERCE_CUSTOMER",
        help="Local mode: the customer (email or id) to act as.")] = None) -> None:
    ctx.obj = attrs.evolve(target(ctx), customer=as_)


@cart_app.command("add")
def add(ctx: typer.Context, product_id: int,
        quantity: Annotated[int, typer.Option(min=1, max=1000)] = 1,
        option: Annotated[list[str] | None, typer.Option(
            help="A variant option, name=value (repeatable), e.g. size=S.")] = None,
        json_out: Json = False) -> None:
    """Put a product in my cart."""
    chosen = dict(o.split("=", 1) for o in option or [] if "=" in o)
    with domain_errors():
        found = target(ctx).as_customer().call(cart.add_cart_item, body=cart.NewCartItem(
            product_id=Id(product_id), quantity=quantity, selected_attributes=chosen))
    _show_cart(to_builtins(found), json_out)


@cart_app.command("show")
def show(ctx: typer.Context, json_out: Json = False) -> None:
    """My cart, priced."""
    with domain_errors():
        found = target(ctx).as_customer().call(cart.get_cart)
    _show_cart(to_builtins(found), json_out)


def _show_cart(view: dict[str, object], json_out: bool) -> None:
    if json_out:
        emit_record(view, json_out)
        return
    items = view["items"]
    assert isinstance(items, list)
    emit(items, CART_COLUMNS, False, f"total {view['total'] or 0} {view['currency'] or ''}")


@app.command("checkout")
def checkout(ctx: typer.Context,
             address: Annotated[int | None, typer.Option(
                 help="One of my saved addresses, by id.")] = None,
             line1: Annotated[str, typer.Option(help="Street and number.")] = "",
             city: Annotated[str, typer.Option()] = "",
             postal_code: Annotated[str, typer.Option()] = "",
             country: Annotated[str, typer.Option(help="Two letters, e.g. US.")] = "",
             region: Annotated[str, typer.Option()] = "",
             pay_with: Annotated[str | None, typer.Option(
                 help="A payment token: pay at once (else pay later with `pay`).")] = None,
             coupon: Annotated[str | None, typer.Option(help="A coupon code.")] = None,
             json_out: Json = False) -> None:
    """Turn my cart into an order (placed once, however often the command is retried)."""
    where = None if address is not None else orders.PostalAddressIn(
        line1=line1, city=city, postal_code=postal_code, country=country, region=region)
    with domain_errors():
        placed = target(ctx).as_customer().call(orders.place_order, body=orders.NewOrder(
            shipping_address=where, shipping_address_id=None if address is None
            else Id(address), payment_token=pay_with, coupon_code=coupon),
            idempotency_key=f"cli-{uuid.uuid4()}")
    if json_out:
        emit_record(to_builtins(placed), json_out)
        return
    typer.echo(f"order {placed.order_id} ({placed.order_number}): {placed.status}, "
               f"{placed.total_amount} {placed.currency}")


@app.command("pay")
def pay(ctx: typer.Context, order_id: int,
        token: Annotated[str, typer.Option(help="The payment token.")]) -> None:
    """Pay for an order placed without paying."""
    with domain_errors():
        paid = target(ctx).as_customer().call(
            payments.process_payment, body=payments.PaymentIn(payment_token=token),
            idempotency_key=f"cli-{uuid.uuid4()}", id=order_id)
    typer.echo(f"order {paid.order.order_id}: {paid.order.status}"
               + (" (3-D Secure: finish in the browser)" if paid.requires_action else ""))


@orders_app.command("list")
def list_orders(ctx: typer.Context, json_out: Json = False) -> None:
    """My orders, newest first."""
    with domain_errors():
        found = target(ctx).as_customer().call(orders.list_orders)
    emit(to_builtins(found.orders), ORDER_COLUMNS, json_out, f"{found.total_count} orders")


@orders_app.command("show")
def show_order(ctx: typer.Context, order_id: int, json_out: Json = False) -> None:
    """One of my orders, with its payment and shipments."""
    with domain_errors():
        found = target(ctx).as_customer().call(orders.get_order, order_id=order_id)
    record = to_builtins(found)
    if not json_out:
        record = {k: record[k] for k in (*ORDER_COLUMNS, "shipping_address")
                  if k in record}
    emit_record(record, json_out)
