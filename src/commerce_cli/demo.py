"""``commerce demo``: a realistic shop seeded on the embedded default, and one checkout walked
through on screen."""

from __future__ import annotations

import random
import shlex
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from commerce_adapters import connect
from commerce_adapters.notify.recording import RecordingNotifier
from commerce_adapters.urls import shown
from commerce_cli.errors import domain_errors
from commerce_cli.target import sqlite_file, target
from commerce_core.accounts.policy import Actor
from commerce_core.address import Address
from commerce_core.catalog.service import VariantSpec
from commerce_core.errors import CommerceError
from commerce_core.facade import Commerce
from commerce_core.pricing.coupons import Coupon, CouponKind

console = Console()
TREE = {"Electronics": ["Phones", "Laptops", "Headphones"],
        "Home": ["Lighting", "Rugs", "Kitchen"],
        "Outdoors": ["Tents", "Bikes"]}
COLORS = ["Black", "Silver", "Blue"]
PASSWORD = "demo-password-42"
SECRET = "commerce-demo-secret-0123456789abcdef"  # the demo's: serve it with the same


def demo(ctx: typer.Context,
         products: Annotated[int, typer.Option(min=8, max=5000,
                                               help="How many products to seed.")] = 240,
         seed: Annotated[int, typer.Option(help="Random seed, for the same shop again.")] = 7
         ) -> None:
    """Seed a shop (sellers, a category tree, products with variants and stock, coupons,
    customers, past orders, reviews), then walk one checkout. Into a new SQLite file in a
    temporary folder, unless --database-url (before ``demo``) names one."""
    url = target(ctx).database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'demo.db'}"
    with domain_errors(), connect(url, notifier=RecordingNotifier(), secret_key=SECRET) as shop:
        console.print(f"[bold]commerce demo[/bold] on {escape(shown(url))}")
        rng = random.Random(seed)
        buyer, catalog = _seed(shop, products, rng)
        _walk_checkout(shop, buyer, catalog, rng)
    _next_steps(url)


def _next_steps(url: str) -> None:
    """Where the shop is, and how to serve and browse it."""
    file = sqlite_file(url)
    where = f"in [bold]{escape(str(file))}[/bold]" if file else f"at {escape(shown(url))}"
    quoted = shlex.quote(url)
    console.print(f"\nThe shop is {where}. Serve it, then browse it:")
    console.print(f"  COMMERCE_SECRET_KEY={SECRET} commerce --database-url {escape(quoted)} "
                  "serve --port 8000", soft_wrap=True)
    console.print("  http://127.0.0.1:8000/docs            the API, to try in a browser")
    console.print("  http://127.0.0.1:8000/api/v1/products the catalog")
    console.print(f"  commerce --database-url {escape(quoted)} admin users list",
                  soft_wrap=True)
    console.print(f"Accounts: admin@demo.example, seller1@demo.example, customer1@demo.example, "
                  f"you@demo.example; password {PASSWORD}", soft_wrap=True)


def _seed(shop: Commerce, count: int, rng: random.Random) -> tuple[Actor, list[int]]:
    admin = _account(shop, "admin@demo.example", "Ada Admin", admin=True)
    sellers = [_account(shop, f"seller{n}@demo.example", f"Seller {n}", "seller")
               for n in range(1, 4)]
    for n, seller in enumerate(sellers, start=1):
        shop.sellers.create_profile(seller, f"Demo Store {n}")
    leaves = []
    for parent, children in TREE.items():
        root = shop.catalog.create_category(admin, parent).id
        leaves += [shop.catalog.create_category(admin, child, root) for child in children]
    shop.add_coupon(admin, Coupon("WELCOME10", CouponKind.PERCENT, Decimal(10)))
    catalog = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("products", total=count)
        for n in range(count):
            leaf = leaves[n % len(leaves)]
            price = Decimal(rng.randrange(500, 150_000)) / 100
            product = shop.catalog.create_product(
                sellers[n % len(sellers)], name=f"{leaf.name} no. {n + 1}",
                category_id=leaf.id, description=f"From our {leaf.name.lower()} range.",
                attributes={"brand": rng.choice(["Acme", "Lumen", "Northwind"])},
                images=[f"https://img.demo.example/{n + 1}.jpg"],
                variants=[VariantSpec(f"DEMO-{n + 1}-{c[:3].upper()}", price + i * 10,
                                      {"color": c}, rng.randrange(100, 3000),
                                      rng.randrange(0, 40), 5)
                          for i, c in enumerate(rng.sample(COLORS, 2))])
            catalog.append(product.id)
            progress.advance(task)
    customers = [_account(shop, f"customer{n}@demo.example", f"Customer {n}")
                 for n in range(1, 11)]
    home = Address("1 Demo Way", "Springfield", "12345", "US", region="IL")
    orders = 0
    for customer in customers:
        for product_id in rng.sample(catalog, 2):
            try:
                shop.cart.add_item(customer, product_id, 1, {"color": _color(shop, product_id)})
                shop.checkout.place_order(customer, home, payment_token="tok_visa")
                shop.reviews.write(customer, product_id, rng.randint(3, 5), "Does the job")
                orders += 1
            except CommerceError:  # sold out in the demo, or held: on to the next one
                shop.cart.clear(customer)
    console.print(f"seeded {len(sellers)} sellers, {len(leaves)} categories, {count} products, "
                  f"{len(customers)} customers, {orders} past orders with reviews")
    return _account(shop, "you@demo.example", "You"), catalog


def _color(shop: Commerce, product_id: int) -> str:
    detail = shop.catalog.product_detail(product_id)
    variants = detail.product.active_variants
    stocked = [v for v in variants if v.id in detail.stock and detail.stock[v.id].available > 0]
    return (stocked or variants)[0].options["color"]


def _account(shop: Commerce, email: str, name: str, role: str = "customer",
             admin: bool = False) -> Actor:
    if admin:
        shop.accounts.create_admin(email, PASSWORD, name)
    else:
        shop.accounts.register(email, PASSWORD, name, role=role)
    return shop.accounts.authenticate(shop.accounts.login(email, PASSWORD).token)


def _walk_checkout(shop: Commerce, buyer: Actor, catalog: list[int],
                   rng: random.Random) -> None:
    listing = shop.catalog.list_products(in_stock=True, sort="rating", limit=3)
    for summary in listing.items[:2]:
        shop.cart.add_item(buyer, summary.product_id, 1,
                           {"color": _color(shop, summary.product_id)})
    view = shop.cart.apply_coupon(buyer, "welcome10")
    table = Table("item", "qty", "price", title="your cart")
    for line in view.cart.lines:
        table.add_row(escape(line.product_name), str(line.quantity), str(line.unit_price.amount))
    if view.totals is not None:  # None only while the cart is empty
        table.add_row("discount (WELCOME10)", "", f"-{view.totals.discount.amount}")
        table.add_row("[bold]total[/bold]", "", f"[bold]{view.totals.total.amount}[/bold]")
    console.print(table)
    result = shop.checkout.place_order(
        buyer, Address("7 Elm St", "Portland", "97205", "US", region="OR"),
        payment_token="tok_visa", idempotency_key=f"demo-{rng.random()}")
    order = result.order
    console.print(f"[green]order {order.number}[/green]: {order.status}, paid {order.total}")
    for entry in order.timeline:
        console.print(f"  {entry.timestamp:%H:%M:%S}  {escape(entry.event)}")
