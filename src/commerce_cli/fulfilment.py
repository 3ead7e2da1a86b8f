"""``commerce seller shipments`` and ``commerce seller inventory movements``: ship an
order's items, record their tracking, read the stock history, through the same operations
as the HTTP API."""

from __future__ import annotations

from typing import Annotated

import typer

from commerce_cli.errors import domain_errors
from commerce_cli.output import Json, emit, emit_record, group
from commerce_cli.target import target
from commerce_http.api import fulfilment, shipments, stock
from commerce_http.contract.wire import Id, to_builtins

app = group("Ship an order's items and record their tracking.")
MOVEMENT_COLUMNS = ["movement_id", "variant_id", "movement_type", "quantity", "reason",
                    "order_id", "created_at"]


@app.command("create")
def create(ctx: typer.Context, order_id: int,
           item: Annotated[list[int] | None, typer.Option(
               "--item", help="An order item id to ship (repeatable; default: all of mine "
                              "not shipped yet).")] = None,
           json_out: Json = False) -> None:
    """Buy a label for my items of an order."""
    with domain_errors():
        made = target(ctx).as_seller().call(shipments.create_shipment, body=shipments.ShipmentIn(
            order_id=Id(order_id), order_item_ids=[Id(i) for i in item] if item else None))
    if json_out:
        emit_record(to_builtins(made), json_out)
        return
    typer.echo(f"shipment {made.shipment_id} of order {made.order_id}: {made.carrier} "
               f"{made.tracking_number}, {made.cost} {made.currency}")


@app.command("track")
def track(ctx: typer.Context, shipment_id: int,
          status: Annotated[str, typer.Argument(
              help="IN_TRANSIT, OUT_FOR_DELIVERY or DELIVERED.")],
          location: Annotated[str, typer.Option(help="Where it is.")] = "",
          json_out: Json = False) -> None:
    """Record a tracking event of my shipment: moving ships the order, delivered delivers."""
    with domain_errors():
        done = target(ctx).as_seller().call(
            fulfilment.add_tracking_event, shipment_id=shipment_id,
            body=fulfilment.TrackingEventIn(status=status.upper(),  # type: ignore[arg-type]
                                            location=location))
    if json_out:
        emit_record(to_builtins(done), json_out)
        return
    typer.echo(f"shipment {done.shipment_id}: {done.status}")


def movements(ctx: typer.Context,
              variant: Annotated[int | None, typer.Option(help="One variant's.")] = None,
              kind: Annotated[list[str] | None, typer.Option(
                  "--type", help="IN, OUT, ADJUSTMENT or RETURN (repeatable).")] = None,
              page: Annotated[int, typer.Option(min=1)] = 1,
              limit: Annotated[int, typer.Option(min=1, max=100)] = 20,
              json_out: Json = False) -> None:
    """Stock movements of my variants, newest first."""
    with domain_errors():
        found = target(ctx).as_seller().call(stock.stock_movements, query=stock.MovementQuery(
            variant_id=None if variant is None else Id(variant),
            type=[k.upper() for k in kind] if kind else None,  # type: ignore[misc]
            page=page, limit=limit))
    emit(to_builtins(found.movements), MOVEMENT_COLUMNS, json_out,
         f"{found.total_count} movements")
