"""``commerce worker``: the background work, in a loop until stopped."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer
from rich.console import Console

from commerce_cli.errors import domain_errors
from commerce_cli.target import target

console = Console()


def worker(ctx: typer.Context,
           interval: Annotated[float, typer.Option(min=0.1, help="Seconds between passes.")]
           = 5.0,
           once: Annotated[bool, typer.Option(help="One pass, then exit.")] = False) -> None:
    """Expire reservations, recover checkouts, retry refunds, relay events, send
    notifications. SIGTERM or Ctrl-C stops it after the current pass."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with domain_errors():
        shop = target(ctx).open(create=True)  # it writes: may make the database
        while True:
            done = shop.run_maintenance()
            busy = {k: v for k, v in done.items() if v}
            console.print(f"pass: {busy or 'nothing to do'}", highlight=False)
            if once or stop.wait(interval):
                return
