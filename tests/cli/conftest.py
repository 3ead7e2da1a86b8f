"""The CLI in both of its modes over one seeded SQLite shop: ``local`` (the library on the
database file) and ``remote`` (``--api`` against a real ``commerce serve`` process, after
``commerce login``). A test taking ``cli`` runs once in each mode."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest
from typer.testing import CliRunner, Result

from commerce_adapters import connect
from commerce_cli.main import app
from commerce_core.accounts.policy import Actor
from commerce_core.catalog.service import VariantSpec
from commerce_core.facade import Commerce
from commerce_http.api import cart, orders
from commerce_http.client import ApiClient
from commerce_http.contract.wire import Id
from tests.conftest import HOME, SECRET
from tests.serving import served

PASSWORD = "correct-horse-42"
ADMIN_EMAIL, ADMIN_PASSWORD = "root@example.com", "keys-to-the-kingdom-7"
SELLER_EMAIL = "lamps@example.com"
CUSTOMER_EMAIL = "ann@example.com"


@attrs.frozen
class World:
    """What the seeded shop holds, by id."""

    url: str
    seller_id: int
    customer_id: int
    category_id: int
    product_id: int
    variant_ids: list[int]
    order_id: int
    review_id: int

    def shop(self) -> Commerce:
        return connect(self.url, secret_key=SECRET)


def seed(url: str, api: str | None = None) -> World:
    """Accounts, a category, a product of two variants, Ann's paid order of two and her
    review. The order is placed where refunds will later go: through the server (``api``)
    or in this process, so that the same fake gateway holds its charge."""
    shop = connect(url, secret_key=SECRET)
    seller = Actor.seller(shop.accounts.register(SELLER_EMAIL, PASSWORD, "Lumen",
                                                 role="seller").id)
    shop.accounts.register("rival@example.com", PASSWORD, "Rival", role="seller")
    ann = Actor.customer(shop.accounts.register("ann@example.com", PASSWORD, "Ann").id)
    shop.sellers.create_profile(seller, "Lumen Lamps")
    category = shop.catalog.create_category(Actor.admin(0), "Lamps").id
    product = shop.catalog.create_product(seller, name="Arc lamp", category_id=category,
                                          variants=[VariantSpec("ARC-S", "99.50", {"size": "S"},
                                                                stock=5, reorder_level=4),
                                                    VariantSpec("ARC-L", "129", {"size": "L"},
                                                                stock=8)])
    if api is None:
        shop.cart.add_item(ann, product.id, 2, {"size": "S"})
        order_id = shop.checkout.place_order(ann, HOME, payment_token="tok_visa").order.id
    else:
        with ApiClient(api) as client:
            client.login("ann@example.com", PASSWORD)
            client.call(cart.add_cart_item, body=cart.NewCartItem(
                product_id=Id(product.id), quantity=2, selected_attributes={"size": "S"}))
            order_id = client.call(orders.place_order, body=orders.NewOrder(
                shipping_address=orders.PostalAddressIn(
                    line1=HOME.line1, city=HOME.city, postal_code=HOME.postal_code,
                    country=HOME.country, region=HOME.region),
                payment_token="tok_visa")).order_id
    review = shop.reviews.write(ann, product.id, 4, "Warm light", "Lovely lamp")
    return World(url, seller.user_id, ann.user_id, category, product.id,
                 [v.id for v in product.variants], order_id, review.id)


@attrs.frozen
class Cli:
    mode: str
    world: World
    env: dict[str, dict[str, str]]  # per person: their own config dir (and so token)
    api: str | None = None

    def run(self, args: Sequence[str], person: str = "admin", input: str | None = None
            ) -> Result:
        where = ["--api", self.api] if self.api else ["--database-url", self.world.url]
        return CliRunner(env=self.env[person]).invoke(app, [*where, *args], input=input)

    def admin(self, *args: str, input: str | None = None) -> Result:
        return self.run(["admin", *args], "admin", input)

    def seller(self, *args: str, input: str | None = None) -> Result:
        who = [] if self.api else ["--as", SELLER_EMAIL]
        return self.run(["seller", *who, *args], "seller", input)

    def customer(self, *args: str, input: str | None = None) -> Result:
        who = [] if self.api else ["--as", CUSTOMER_EMAIL]
        return self.run(["customer", *who, *args], "customer", input)

    def ok(self, result: Result) -> str:
        assert result.exit_code == 0, (self.mode, result.stdout, result.stderr)
        return result.stdout

    def json(self, result: Result) -> Any:
        return json.loads(self.ok(result))


@pytest.fixture(params=["local", "remote"])
def cli(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Cli]:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    env = {person: {"COMMERCE_SECRET_KEY": SECRET,
                    "XDG_CONFIG_HOME": str(tmp_path / person), "COLUMNS": "200"}
           for person in ("admin", "seller", "customer")}
    if request.param == "local":
        yield Cli("local", seed(url), env)
        return
    connect(url, secret_key=SECRET)  # made and migrated before the server's workers start
    # one worker: the fake gateway holding the seeded order's charge is that process's
    with served(url, workers=1, COMMERCE_ADMIN_EMAIL=ADMIN_EMAIL,
                COMMERCE_ADMIN_PASSWORD=ADMIN_PASSWORD) as base:
        cli = Cli("remote", seed(url, base), env, base)
        for person, email, password in (("admin", ADMIN_EMAIL, ADMIN_PASSWORD),
                                         ("seller", SELLER_EMAIL, PASSWORD),
                                         ("customer", CUSTOMER_EMAIL, PASSWORD)):
            cli.ok(cli.run(["login", "--email", email], person, input=f"{password}\n"))
        yield cli
