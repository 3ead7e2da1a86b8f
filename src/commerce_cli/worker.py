"""``commerce worker``: the background work, in a loop until stopped; or, with ``--role``,
one or more of a broker's consumer groups and the outbox relay."""

from __future__ import annotations

import functools
import signal
import threading
from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console

from commerce_cli.errors import domain_errors
from commerce_cli.target import target
from commerce_core.bus.consumer import Dispatcher
from commerce_core.bus.ports import ConsumerGroups
from commerce_core.bus.roles import ROLES
from commerce_core.facade import Commerce

console = Console()
RELAY = "relay"


def worker(ctx: typer.Context,
           interval: Annotated[float, typer.Option(min=0.01, help="Seconds between passes.")]
           = 5.0,
           once: Annotated[bool, typer.Option(help="One pass, then exit.")] = False,
           role: Annotated[list[str] | None, typer.Option(
               help="Run this consumer group (or 'relay': the outbox relay) instead of the "
                    "maintenance passes; repeat for several.")] = None) -> None:
    """Expire reservations, recover checkouts, retry refunds, relay events, send
    notifications. SIGTERM or Ctrl-C stops it after the current pass (a consumer group
    after its current batch, whose offsets it commits)."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with domain_errors():
        shop = target(ctx).open(create=True)  # it writes: may make the database
        if role:
            _run_roles(shop, role, interval, stop)
            return
        while True:
            done = shop.run_maintenance()
            busy = {k: v for k, v in done.items() if v}
            console.print(f"pass: {busy or 'nothing to do'}", highlight=False)
            if once or stop.wait(interval):
                return


def dispatcher_for(shop: Commerce, name: str) -> Dispatcher:
    """The role's consumer group, its handlers subscribed, its dead letters on the bus."""
    bus = broker_of(shop)
    role = ROLES.get(name)
    dispatcher = Dispatcher(role.group, shop.tx, dead_letters=bus.dead_letter_box())
    for event_type, handler in role.handlers(shop):
        dispatcher.subscribe(event_type, handler)
    return dispatcher


def broker_of(shop: Commerce) -> ConsumerGroups:
    if not isinstance(shop.publisher, ConsumerGroups):
        raise ValueError("consumer roles need a broker: set COMMERCE_EVENTS_URL to a "
                         "kafka:// URL (the in-process bus runs its handlers in the shop's "
                         "own process)")
    return shop.publisher


def _run_roles(shop: Commerce, roles: list[str], interval: float,
               stop: threading.Event) -> None:
    known = [*ROLES.names(), RELAY]
    for name in roles:
        if name not in known:
            raise ValueError(f"unknown role {name!r}; known: {', '.join(known)}")
    threads = []
    for name in dict.fromkeys(roles):
        run: Callable[[], None]
        if name == RELAY:
            run = functools.partial(_relay, shop, interval, stop)
        else:
            run = functools.partial(broker_of(shop).consume, dispatcher_for(shop, name), stop)
        thread = threading.Thread(target=run, name=f"commerce-{name}")
        thread.start()
        threads.append(thread)
        console.print(f"{name}: running", highlight=False)
    while any(t.is_alive() for t in threads):
        for t in threads:
            t.join(0.2)


def _relay(shop: Commerce, interval: float, stop: threading.Event) -> None:
    """Relay until stopped: at once again after a full batch, else after ``interval``."""
    while not stop.is_set():
        if shop.outbox.run_once() < 500:
            stop.wait(interval)
