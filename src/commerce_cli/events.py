"""``commerce events ...``: the broker's dead letters."""

from __future__ import annotations

from typing import Annotated

import typer

from commerce_cli.errors import domain_errors
from commerce_cli.output import emit, emit_record, group
from commerce_cli.target import target
from commerce_cli.worker import broker_of, dispatcher_for

app = group("The event bus.")
dead_letters = group("Events a consumer group gave up on, after its retries.")
app.add_typer(dead_letters, name="dead-letters")


@dead_letters.command("list")
def list_letters(ctx: typer.Context,
                 role: Annotated[str | None, typer.Option(help="Only this role's.")] = None,
                 json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every dead letter kept, oldest first, with whether a replay has passed it."""
    with domain_errors():
        shop = target(ctx).open(create=True)
        group_name = dispatcher_for(shop, role).group if role else None
        rows = [{"group": b["group"], "type": b["envelope"]["type"],
                 "event_id": b["envelope"]["event_id"], "error": b["error"],
                 "attempts": b["attempts"], "failed_at": b["failed_at"],
                 "replayed": b["replayed"]}
                for b in broker_of(shop).dead_letter_box().letters(group_name)]
        emit(rows, ["group", "type", "event_id", "error", "attempts", "failed_at",
                    "replayed"], json_out, title="dead letters")


@dead_letters.command("replay")
def replay(ctx: typer.Context,
           role: Annotated[str, typer.Option(help="The role whose letters to replay.")],
           json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Hand the role's letters not yet replayed to its handlers again; one that fails again
    becomes a new letter."""
    with domain_errors():
        shop = target(ctx).open(create=True)
        dispatcher = dispatcher_for(shop, role)
        counts = broker_of(shop).dead_letter_box().replay(dispatcher)
        emit_record({"group": dispatcher.group, **counts}, json_out, title="replayed")
