"""``commerce admin``: users, categories, the fraud queue and the dashboard, run locally by
the operator (who holds the database, so the commands act as the operator's admin)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from commerce_adapters import connect
from commerce_cli.errors import domain_errors
from commerce_core.accounts.policy import Actor
from commerce_core.facade import Commerce

app = typer.Typer(help="Users, categories, the fraud queue, the dashboard.",
                  no_args_is_help=True)
users = typer.Typer(help="Find, create, deactivate, change roles.", no_args_is_help=True)
categories = typer.Typer(help="The category tree.", no_args_is_help=True)
fraud = typer.Typer(help="Orders held for review.", no_args_is_help=True)
app.add_typer(users, name="users")
app.add_typer(categories, name="categories")
app.add_typer(fraud, name="fraud")

OPERATOR = Actor.admin(0)  # the operator: whoever runs this against the database
console = Console()
Url = Annotated[str | None, typer.Option("--database-url", help="Overrides the setting.")]
Json = Annotated[bool, typer.Option("--json", help="For scripts.")]


def _shop(url: str | None) -> Commerce:
    return connect(url)


def _emit(rows: list[dict[str, Any]], columns: list[str], as_json: bool, title: str) -> None:
    if as_json:
        typer.echo(json.dumps(rows, default=str, indent=2))
        return
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*(str(row.get(c, "")) for c in columns))
    console.print(table)


@users.command("list")
def list_users(role: Annotated[str | None, typer.Option(help="customer, seller or admin.")]
               = None, email: Annotated[str | None, typer.Option(help="Part of the email.")]
               = None, database_url: Url = None, as_json: Json = False) -> None:
    """Users, oldest first (first 100)."""
    with domain_errors():
        page = _shop(database_url).accounts.find_users(OPERATOR, email=email, role=role,
                                                       limit=100)
    _emit([u.as_dict() for u in page.items], ["user_id", "email", "name", "role", "is_active"],
          as_json, f"{page.total_count} users")


@users.command("create-admin")
def create_admin(email: str, name: Annotated[str, typer.Option()] = "Administrator",
                 password: Annotated[str, typer.Option(prompt=True, hide_input=True,
                                                       confirmation_prompt=True)] = "",
                 database_url: Url = None) -> None:
    """Create an admin account (the password is asked for, never echoed)."""
    with domain_errors():
        user = _shop(database_url).accounts.create_admin(email, password, name)
    typer.echo(f"created admin {user.email} ({user.id})")


@users.command("deactivate")
def deactivate(user_id: int, database_url: Url = None) -> None:
    """Block sign-in and void the user's tokens."""
    with domain_errors():
        user = _shop(database_url).accounts.deactivate(OPERATOR, user_id)
    typer.echo(f"{user.email} deactivated")


@users.command("role")
def role(user_id: int, new_role: str, database_url: Url = None) -> None:
    """Change a user's role (customer, seller, admin)."""
    with domain_errors():
        user = _shop(database_url).accounts.change_role(OPERATOR, user_id, new_role)
    typer.echo(f"{user.email} is now {user.role.value}")


@categories.command("tree")
def tree(database_url: Url = None, as_json: Json = False) -> None:
    """The category tree."""
    with domain_errors():
        nodes = _shop(database_url).catalog.category_tree()
    if as_json:
        typer.echo(json.dumps(nodes, indent=2))
        return
    root = Tree("categories")

    def add(branch: Tree, children: list[dict[str, Any]]) -> None:
        for node in children:
            add(branch.add(f"{node['name']} [dim]({node['category_id']})[/dim]"),
                node["children"])
    add(root, nodes)
    console.print(root)


@categories.command("create")
def create_category(name: str, parent: Annotated[int | None, typer.Option(
        help="Id of the parent category.")] = None, database_url: Url = None) -> None:
    """Create a category (under ``--parent``)."""
    with domain_errors():
        category = _shop(database_url).catalog.create_category(OPERATOR, name, parent)
    typer.echo(f"created {category.name} ({category.id})")


@fraud.command("list")
def held(database_url: Url = None, as_json: Json = False) -> None:
    """Orders held for review, riskiest first."""
    with domain_errors():
        page = _shop(database_url).fraud.queue(OPERATOR, limit=100)
    _emit([c.as_dict() for c in page.items], ["order_id", "score", "signals", "total"],
          as_json, f"{page.total_count} held")


@fraud.command("approve")
def approve(order_id: int, note: str = "", database_url: Url = None) -> None:
    """Release a held order for shipping."""
    with domain_errors():
        _shop(database_url).fraud.approve(OPERATOR, order_id, note)
    typer.echo(f"order {order_id} approved")


@fraud.command("reject")
def reject(order_id: int, note: str = "", database_url: Url = None) -> None:
    """Cancel and refund a held order."""
    with domain_errors():
        _shop(database_url).fraud.reject(OPERATOR, order_id, note)
    typer.echo(f"order {order_id} rejected, cancelled and refunded")


@app.command("dashboard")
def dashboard(days: Annotated[int, typer.Option(min=1, max=366)] = 30,
              database_url: Url = None, as_json: Json = False) -> None:
    """GMV, orders, average order value, conversion and top categories."""
    end = date.today()
    with domain_errors():
        figures = _shop(database_url).analytics.dashboard(
            OPERATOR, end - timedelta(days=days - 1), end).as_dict()
    if as_json:
        typer.echo(json.dumps(figures, default=str, indent=2))
        return
    table = Table("figure", "value", title=f"last {days} days")
    for key in ("gmv", "orders", "average_order_value", "checkouts_started",
                "carts_converted", "conversion_rate"):
        table.add_row(key, str(figures[key]))
    console.print(table)
