"""What the cart costs on SQL: its transactions and statements, counted with
SQLAlchemy's engine events (each is a round trip on PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

from falcon import testing

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.accounts.policy import Actor
from commerce_core.catalog.service import VariantSpec
from commerce_core.clock import ManualClock
from commerce_http import create_app
from tests.conftest import ADMIN, SELLER, make_shop
from tests.http.conftest import sign_up
from tests.integration.test_detail_statements import Counter, counter, database_url

__all__ = ["counter", "database_url"]  # fixtures, shared with the detail's count


def test_adding_a_line_reads_in_one_transaction(database_url: str, counter: Counter,
                                                clock: ManualClock, gateway: FakeGateway
                                                ) -> None:
    shop = make_shop(clock, gateway, database_url, cache_url="none://")
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    lamp, shade = (shop.catalog.create_product(
        SELLER, name=name, category_id=category,
        variants=[VariantSpec(sku, Decimal("19.99"), stock=3)]) for name, sku in
        (("Desk lamp", "LAMP"), ("Shade", "SHADE")))
    buyer = Actor.customer(500)
    shop.cart.add_item(buyer, lamp.id, 1)  # warm: statement caches, pools, settings
    counter.statements.clear()
    counter.transactions = 0

    view = shop.cart.add_item(buyer, shade.id, 2)

    assert [(line.sku, line.quantity) for line in view.cart.lines] == [("LAMP", 1),
                                                                      ("SHADE", 2)]
    assert view.totals is not None and view.totals.subtotal.amount == Decimal("59.97")
    # the product with its stock, the pricing rules' versions and the cart, each one
    # statement on its own; the cart saved in the one transaction (its row, its lines)
    assert counter.transactions == 1, counter.statements
    assert len(counter.statements) == 6, counter.statements
    assert counter.round_trips() == 8


def test_reading_the_cart_over_http_runs_no_transaction(database_url: str, counter: Counter,
                                                        clock: ManualClock,
                                                        gateway: FakeGateway) -> None:
    """Every signed-in request checks its account and whether its token was revoked: one
    statement each, with no transaction around them, as the cart's read."""
    shop = make_shop(clock, gateway, database_url, cache_url="none://")
    client = testing.TestClient(create_app(shop))
    headers, _ = sign_up(client, "pat@example.com")
    assert client.simulate_get("/api/v1/cart", headers=headers).status_code == 200  # warm
    counter.statements.clear()
    counter.transactions = 0

    answer = client.simulate_get("/api/v1/cart", headers=headers)

    assert answer.status_code == 200 and answer.json["data"]["items"] == []
    assert [s.split("FROM ")[1].split()[0] for s in counter.statements] == [
        "users", "revoked_tokens", "carts"]
    assert counter.transactions == 0 and counter.round_trips() == 3
