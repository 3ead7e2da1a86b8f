"""``commerce admin webhooks``: the shop's outgoing webhook endpoints and their delivery
logs, through the same operations as ``/api/v1/admin/webhooks``."""

from __future__ import annotations

from typing import Annotated

import typer

from commerce_cli.errors import domain_errors
from commerce_cli.output import Json, emit, emit_record, group
from commerce_cli.target import target
from commerce_http.api import webhooks as api
from commerce_http.contract.wire import to_builtins

app = group("Outgoing webhooks: endpoints per event type, signed deliveries, their log.")
ENDPOINT_COLUMNS = ["endpoint_id", "url", "event_types", "active", "created_at"]
DELIVERY_COLUMNS = ["delivery_id", "event_type", "state", "attempts", "last_status",
                    "last_error", "created_at", "sent_at"]


@app.command("list")
def list_endpoints(ctx: typer.Context, json_out: Json = False) -> None:
    """Registered endpoints, and the event types an endpoint may ask for."""
    with domain_errors():
        found = target(ctx).as_admin().call(api.list_webhooks)
    emit(to_builtins(found.endpoints), ENDPOINT_COLUMNS, json_out,
         f"{len(found.endpoints)} endpoints (event types: {', '.join(found.event_types)})")


@app.command("add")
def add(ctx: typer.Context, url: Annotated[str, typer.Argument(help="https://... to POST to.")],
        event: Annotated[list[str], typer.Option(
            "--event", help="An event type (OrderPlaced...), or * for all; repeatable.")],
        json_out: Json = False) -> None:
    """Register an endpoint. Its signing secret is shown now, and never again."""
    with domain_errors():
        made = target(ctx).as_admin(create=True).call(
            api.add_webhook, body=api.NewEndpoint(url=url, event_types=event))
    emit_record(to_builtins(made), json_out, "endpoint registered: keep its secret")


@app.command("disable")
def disable(ctx: typer.Context, endpoint_id: int) -> None:
    """Stop sending to an endpoint (its delivery log stays)."""
    with domain_errors():
        done = target(ctx).as_admin().call(api.disable_webhook, endpoint_id=endpoint_id)
    typer.echo(f"disabled endpoint {done.endpoint_id} ({done.url})")


@app.command("deliveries")
def deliveries(ctx: typer.Context, endpoint_id: int,
               limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
               json_out: Json = False) -> None:
    """An endpoint's delivery log, newest first."""
    with domain_errors():
        found = target(ctx).as_admin().call(api.webhook_deliveries,
                                            query=api.DeliveryQuery(limit=limit),
                                            endpoint_id=endpoint_id)
    emit(to_builtins(found.deliveries), DELIVERY_COLUMNS, json_out,
         f"{len(found.deliveries)} deliveries")
