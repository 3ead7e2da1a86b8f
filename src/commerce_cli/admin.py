"""``commerce admin``: users, categories, the fraud queue and the dashboard.

Locally the operator (who holds the database) acts as its admin; with ``--api`` the
account of ``commerce login`` acts, and the server decides what it may do.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.tree import Tree

from commerce_cli.errors import domain_errors
from commerce_cli.output import Json, console, emit, emit_record, group
from commerce_cli.period import Since, Until, period
from commerce_cli.target import target

app = group("Users, categories, the fraud queue, the dashboard.")
users = group("Find, create, deactivate, change roles.")
categories = group("The category tree.")
fraud = group("Orders held for review.")
app.add_typer(users, name="users")
app.add_typer(categories, name="categories")
app.add_typer(fraud, name="fraud")

USER_COLUMNS = ["user_id", "email", "name", "role", "is_active"]
Page = Annotated[int, typer.Option(min=1, help="Page number.")]
Limit = Annotated[int, typer.Option(min=1, max=100, help="Rows per page.")]


@users.command("list")
def list_users(ctx: typer.Context,
               role: Annotated[str | None, typer.Option(help="customer, seller or admin.")]
               = None, email: Annotated[str | None, typer.Option(help="Part of the email.")]
               = None, active: Annotated[bool | None, typer.Option(
                   "--active/--inactive", help="Only active, or only deactivated.")] = None,
               page: Page = 1, limit: Limit = 50, json_out: Json = False) -> None:
    """Users, oldest first."""
    with domain_errors():
        found = target(ctx).as_admin().find_users(email=email, role=role, is_active=active,
                                                  page=page, limit=limit)
    emit(found.items, USER_COLUMNS, json_out, f"{found.total_count} users")


@users.command("find")
def find(ctx: typer.Context, who: Annotated[str, typer.Argument(help="A user id, or part "
                                                                "of an email.")],
         json_out: Json = False) -> None:
    """One user by id, or the users whose email contains WHO."""
    with domain_errors():
        shop = target(ctx).as_admin()
        if who.isdigit():
            emit_record(shop.user(int(who)), json_out)
            return
        found = shop.find_users(email=who, limit=100)
    emit(found.items, USER_COLUMNS, json_out, f"{found.total_count} users")


@users.command("create")
def create(ctx: typer.Context, email: str,
           name: Annotated[str, typer.Option(help="Display name.")],
           role: Annotated[str, typer.Option(help="customer, seller or admin.")] = "customer",
           password: Annotated[str, typer.Option(
               prompt=True, hide_input=True, confirmation_prompt=True,
               envvar="COMMERCE_NEW_PASSWORD", help="Asked for when not given; never echoed.")]
           = "") -> None:
    """Create an account of any role."""
    with domain_errors():
        user = target(ctx).as_admin(create=True).create_user(email, password, name, role)
    typer.echo(f"created {user['role']} {user['email']} ({user['user_id']})")


@users.command("deactivate")
def deactivate(ctx: typer.Context, user_id: int) -> None:
    """Block sign-in and void the user's tokens."""
    with domain_errors():
        user = target(ctx).as_admin().set_active(user_id, False)
    typer.echo(f"{user['email']} deactivated")


@users.command("reactivate")
def reactivate(ctx: typer.Context, user_id: int) -> None:
    """Allow sign-in again."""
    with domain_errors():
        user = target(ctx).as_admin().set_active(user_id, True)
    typer.echo(f"{user['email']} reactivated")


@users.command("role")
def role(ctx: typer.Context, user_id: int, new_role: str) -> None:
    """Change a user's role (customer, seller, admin)."""
    with domain_errors():
        user = target(ctx).as_admin().change_role(user_id, new_role)
    typer.echo(f"{user['email']} is now {user['role']}")


@categories.command("tree")
def tree(ctx: typer.Context, json_out: Json = False) -> None:
    """The category tree."""
    with domain_errors():
        nodes = target(ctx).as_admin().category_tree()
    if json_out:
        emit(nodes, [], True)
        return
    root = Tree("categories")

    def add(branch: Tree, children: list[dict[str, Any]]) -> None:
        for node in children:
            add(branch.add(f"{escape(node['name'])} [dim]({node['category_id']})[/dim]"),
                node["children"])
    add(root, nodes)
    console.print(root)


ParentOption = Annotated[int | None, typer.Option("--parent", help="Id of the parent category.")]


@categories.command("create")
def create_category(ctx: typer.Context, name: str, parent: ParentOption = None) -> None:
    """Create a category (under ``--parent``)."""
    with domain_errors():
        category = target(ctx).as_admin(create=True).create_category(name, parent)
    typer.echo(f"created {category['name']} ({category['category_id']})")


@categories.command("rename")
def rename_category(ctx: typer.Context, category_id: int, name: str) -> None:
    """Rename a category."""
    with domain_errors():
        category = target(ctx).as_admin().rename_category(category_id, name)
    typer.echo(f"category {category_id} is now {category['name']}")


@categories.command("move")
def move_category(ctx: typer.Context, category_id: int, parent: ParentOption = None) -> None:
    """Move a category under ``--parent`` (to the top without it)."""
    with domain_errors():
        category = target(ctx).as_admin().move_category(category_id, parent)
    where = f"under {parent}" if parent else "to the top"
    typer.echo(f"moved {category['name']} {where}")


@categories.command("delete")
def delete_category(ctx: typer.Context, category_id: int) -> None:
    """Delete a category that has no sub-categories and no products."""
    with domain_errors():
        target(ctx).as_admin().delete_category(category_id)
    typer.echo(f"category {category_id} deleted")


@fraud.command("list")
def held(ctx: typer.Context, status: Annotated[str, typer.Option(
        help="HELD, APPROVED or REJECTED.")] = "HELD", page: Page = 1, limit: Limit = 50,
         json_out: Json = False) -> None:
    """Orders held for review, riskiest first."""
    with domain_errors():
        found = target(ctx).as_admin().fraud_queue(status.upper(), page, limit)
    emit(found.items, ["order_id", "score", "signals", "total"], json_out,
         f"{found.total_count} {status.lower()}")


@fraud.command("approve")
def approve(ctx: typer.Context, order_id: int, note: str = "") -> None:
    """Release a held order for shipping."""
    with domain_errors():
        target(ctx).as_admin().approve_order(order_id, note)
    typer.echo(f"order {order_id} approved")


@fraud.command("reject")
def reject(ctx: typer.Context, order_id: int, note: str = "") -> None:
    """Cancel and refund a held order."""
    with domain_errors():
        target(ctx).as_admin().reject_order(order_id, note)
    typer.echo(f"order {order_id} rejected, cancelled and refunded")


@app.command("dashboard")
def dashboard(ctx: typer.Context, since: Since = None, until: Until = None,
              json_out: Json = False) -> None:
    """GMV, orders, average order value, conversion and top categories."""
    start, end = period(since, until)
    with domain_errors():
        figures = target(ctx).as_admin().dashboard(start, end)
    if json_out:
        emit_record(figures, True)
        return
    emit_record({k: figures[k] for k in ("gmv", "orders", "average_order_value", "refunds",
                                         "checkouts_started", "carts_converted",
                                         "conversion_rate")}, False, f"{start} to {end}")
    emit(figures["top_categories"], list(figures["top_categories"][0])
         if figures["top_categories"] else ["category"], False, "top categories")
