"""``commerce config show``: the effective settings, secrets masked."""

from __future__ import annotations

import json
import os
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from commerce_adapters.bootstrap import URL_SETTINGS, part_url, setting
from commerce_adapters.urls import shown
from commerce_cli.output import group

app = group("Settings.")

# name -> default ("" when unset means off)
SETTINGS = {
    **URL_SETTINGS,
    "COMMERCE_SECRET_KEY": "",
    "COMMERCE_ADMIN_EMAIL": "",
    "COMMERCE_ADMIN_PASSWORD": "",
    "COMMERCE_CORS_ORIGINS": "",
    "COMMERCE_RATE_LIMIT_PER_IP": "300",
    "COMMERCE_RATE_LIMIT_PER_USER": "120",
    "COMMERCE_API_URL": "",
    "COMMERCE_SELLER": "",
    "COMMERCE_NODE_ID": "",  # unset: each process leases a node id from the database
    "COMMERCE_REDIS_PREFIX": "commerce:",  # what every key in a shared Redis starts with
    "COMMERCE_RATE_LIMIT_FAILURE": "open",  # a Redis limiter that is down: open or closed
    "COMMERCE_STRIPE_API_KEY": "",   # stripe:// (docs/payments.md)
    "COMMERCE_STRIPE_API_BASE": "",  # unset: Stripe's own API
    "COMMERCE_WEBHOOK_SECRET": "",   # unset: stripe:// refuses webhooks; the fake makes one
}
_SECRET_NAMES = ("SECRET", "PASSWORD", "KEY")


def mask(name: str, value: str) -> str:
    """``value`` fit to show: a secret setting hidden whole, a URL's password (or a list of
    URLs' passwords) hidden as SQLAlchemy renders it."""
    if not value:
        return value
    if any(part in name for part in _SECRET_NAMES):
        return "********"
    if "," in value and "://" in value:  # COMMERCE_DATABASE_REPLICA_URLS
        return ",".join(shown(url.strip()) for url in value.split(","))
    return shown(value)


def _value(name: str, default: str) -> str:
    if name not in URL_SETTINGS or name == "COMMERCE_DATABASE_REPLICA_URLS":
        return os.environ.get(name, default)
    return part_url(name, setting("COMMERCE_DATABASE_URL"))


def _source(name: str, default: str) -> str:
    if name in os.environ:
        return "environment"
    follows = name in URL_SETTINGS and not default and name != "COMMERCE_DATABASE_REPLICA_URLS"
    return "default: the database" if follows else "default"


@app.command()
def show(as_json: Annotated[bool, typer.Option("--json", help="For scripts.")] = False) -> None:
    """Every COMMERCE_* setting: its value (secrets masked) and where it comes from; a part
    left unset follows the database, and shows the database's URL."""
    rows = [(name, mask(name, _value(name, default)), _source(name, default))
            for name, default in SETTINGS.items()]
    if as_json:
        typer.echo(json.dumps({n: {"value": v, "source": s} for n, v, s in rows}, indent=2))
        return
    table = Table("setting", "value", "from")
    for row in rows:
        table.add_row(*row)
    Console().print(table)
