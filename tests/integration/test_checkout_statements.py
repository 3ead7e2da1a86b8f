"""What one checkout costs on SQL: its statements and transactions, counted with
SQLAlchemy's engine events on the calling thread (events are delivered on another)."""

from __future__ import annotations

import re
from decimal import Decimal

import sqlalchemy as sa

from commerce_adapters.fake.payments import FakeGateway
from commerce_adapters.sql import schema as t
from commerce_adapters.sql.uow import SqlUnitOfWork
from commerce_core.accounts.policy import Actor
from commerce_core.address import Address
from commerce_core.catalog.service import VariantSpec
from commerce_core.clock import ManualClock
from commerce_core.settings.model import Section
from tests.conftest import ADMIN, SELLER, make_shop
from tests.integration.test_detail_statements import Counter, counter, database_url

__all__ = ["counter", "database_url"]  # fixtures, shared with the detail's count

HOME = Address("1 Main St", "Springfield", "12345", "US")


def _shape(statements: list[str]) -> list[str]:
    """Each statement as its verb and table; one of held-back inserts as ``insert`` and the
    tables it writes, sorted."""
    found = []
    for text in statements:
        inserted = sorted(re.findall(r"INSERT INTO (\w+)", text))
        words = text.split()
        if words[0] == "WITH" and inserted and "UPDATE" not in text:
            found.append("insert " + " ".join(inserted))
        elif inserted:
            found.append(f"INSERT {inserted[0]}")
        else:
            found.append(" ".join(words[:2]))
    return found


def test_a_checkout_is_two_transactions_and_its_inserts_go_together(
        database_url: str, counter: Counter, clock: ManualClock, gateway: FakeGateway) -> None:
    shop = make_shop(clock, gateway, database_url, cache_url="none://",
                     event_delivery="background")
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    products = [shop.catalog.create_product(
        SELLER, name=f"Lamp {n}", category_id=category,
        variants=[VariantSpec(f"LAMP-{n}", Decimal("19.99"), stock=10)]) for n in range(3)]
    counts = {}
    for run, lines in enumerate((0, 1, 3, 3)):  # 0: a first, 1-line checkout warms caches
        buyer = Actor.customer(5000 + run)
        for product in products[:lines or 1]:
            shop.cart.add_item(buyer, product.id, 1)
        counter.statements.clear()
        counter.through_sqlalchemy.clear()
        counter.transactions = 0

        result = shop.checkout.place_order(buyer, HOME, payment_token="tok_visa")

        assert result.order.status.value == "CONFIRMED"
        counts[lines] = len(counter.statements), counter.transactions
        if run == 3:  # every statement ran twice before: all go to the driver (sql.direct)
            # but INSERTs, which SQLite sends one by one (PostgreSQL's merged ones are text)
            assert [s.split()[0] for s in counter.through_sqlalchemy
                    if not s.startswith("INSERT")] == [], counter.through_sqlalchemy
        shape = _shape(counter.statements)
        if database_url.startswith("postgresql"):
            # the first transaction's inserts are one statement, and so are the second's
            # (the stock movements and the events)
            assert [s for s in shape if s.lower().startswith("insert")] == [
                "insert checkouts fraud_checks order_items orders outbox payments "
                "reservations", "insert outbox stock_movements"], shape
    shop.close()
    assert counts[1][1] == 2 and counts[3][1] == 2, counts
    if database_url.startswith("postgresql"):
        assert counts[1][0] <= 10, counts  # 4 to place, 6 to complete
        assert counts[3][0] - counts[1][0] <= 2 * 2, counts  # a stock update per step


def test_offers_read_with_the_cart_answer_only_the_price_check_right_after(
        database_url: str, clock: ManualClock, gateway: FakeGateway) -> None:
    """Inside a writing unit of work the cart's read also reads its lines' offers, for the
    price check that follows; any statement in between makes the check read them again."""
    shop = make_shop(clock, gateway, database_url, cache_url="none://")
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    product = shop.catalog.create_product(
        SELLER, name="Lamp", category_id=category,
        variants=[VariantSpec("LAMP-1", Decimal("19.99"), stock=10)])
    variant = product.variants[0].id
    buyer = Actor.customer(6001)
    shop.cart.add_item(buyer, product.id, 1)
    for changed_between in (False, True):
        with shop.tx() as uow:
            assert isinstance(uow, SqlUnitOfWork)
            carts = shop.carts.joined(uow)
            assert carts is not None
            carts.get(buyer.user_id)
            if changed_between:  # this unit of work's own write: the read ahead is stale
                uow.execute(sa.update(t.variants).where(t.variants.c.id == variant)
                            .values(price=Decimal("24.99")))
            with shop.tx.catalog_read(within=uow) as catalog:
                offer = catalog.products.offers([variant])[variant]
        assert offer.price.amount == (Decimal("24.99") if changed_between
                                      else Decimal("19.99"))
    shop.close()


def test_settings_versions_read_with_the_cart_are_the_stored_ones_until_a_statement(
        database_url: str, clock: ManualClock, gateway: FakeGateway) -> None:
    shop = make_shop(clock, gateway, database_url, cache_url="none://")
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    product = shop.catalog.create_product(
        SELLER, name="Lamp", category_id=category,
        variants=[VariantSpec("LAMP-1", Decimal("19.99"), stock=10)])
    buyer = Actor.customer(6002)
    shop.cart.add_item(buyer, product.id, 1)
    with shop.tx() as uow:  # two sections stored, at versions 2 and 1
        for section in (Section.TAX, Section.TAX, Section.FRAUD):
            uow.settings.put(section, None, None, clock.now())
        uow.commit()
    for written_between in (False, True):
        with shop.tx() as uow:
            carts = shop.carts.joined(uow)
            assert carts is not None
            carts.get(buyer.user_id)
            if written_between:  # this unit of work's own write: the read ahead is stale
                uow.settings.put(Section.FRAUD, None, None, clock.now())
            versions = dict(uow.settings.versions())
        assert versions == {Section.TAX: 2, Section.FRAUD: 2 if written_between else 1}
    shop.close()
