"""What adding to a cart costs on SQL: its transactions and statements, counted with
SQLAlchemy's engine events (each is a round trip on PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.accounts.policy import Actor
from commerce_core.catalog.service import VariantSpec
from commerce_core.clock import ManualClock
from tests.conftest import ADMIN, SELLER, make_shop
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
    # product, its stock and the pricing rules in one read; the cart read; the cart saved
    assert counter.transactions == 3, counter.statements
