"""Entry point of the ``commerce`` console script.

Exit codes: 0 done; 1 refused (a domain error, one line on stderr) or a check failed; 2 the
command line itself is wrong.
"""

from __future__ import annotations

from typing import Annotated

import typer

from commerce_cli import (
    __version__,
    account,
    admin,
    coupons,
    customer,
    db,
    events,
    rankings,
    search,
    seller,
    settings,
    shop_settings,
    webhooks,
)
from commerce_cli.demo import demo
from commerce_cli.doctor import doctor
from commerce_cli.serve import serve
from commerce_cli.target import Target
from commerce_cli.worker import worker

app = typer.Typer(help="The commerce SDK's command line.", no_args_is_help=True,
                  rich_markup_mode="markdown", pretty_exceptions_enable=False)


@app.callback()
def _root(ctx: typer.Context,
          api: Annotated[str | None, typer.Option(
              "--api", envvar="COMMERCE_API_URL", metavar="URL",
              help="Work on the shop served at URL (after `commerce --api URL login`) "
                   "instead of the local database. For admin, seller and doctor.")] = None,
          database_url: Annotated[str | None, typer.Option(
              "--database-url", metavar="URL",
              help="Local mode's database (default: COMMERCE_DATABASE_URL, else "
                   "sqlite:///commerce.db).")] = None) -> None:
    """Operate a commerce shop: locally on its database, or remotely through its HTTP API."""
    ctx.obj = Target(api=api, database_url=database_url, on_close=ctx.call_on_close)


@app.command("version")
def show_version() -> None:
    """Print the installed commerce-sdk version."""
    typer.echo(__version__)


app.command("serve")(serve)
app.command("demo")(demo)
app.command("worker")(worker)
app.command("doctor")(doctor)
app.command("login")(account.login)
app.command("logout")(account.logout)
app.command("whoami")(account.whoami)
app.command("password")(account.password)
app.add_typer(db.app, name="db")
app.add_typer(settings.app, name="config")
app.add_typer(admin.app, name="admin")
admin.app.add_typer(webhooks.app, name="webhooks")
admin.app.add_typer(coupons.admin, name="coupons")
seller.app.add_typer(coupons.seller, name="coupons")
admin.app.add_typer(shop_settings.app, name="shop-settings")
app.add_typer(seller.app, name="seller")
app.add_typer(customer.app, name="customer")
app.add_typer(rankings.app, name="rankings")
app.add_typer(search.app, name="search")
app.add_typer(events.app, name="events")


def main() -> None:
    app(prog_name="commerce")  # also under python -m commerce_cli
