"""PostgreSQL under concurrent checkouts and sweeps: never oversold, never deadlocked, never
expired twice."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

import pytest

from commerce_adapters.fake.payments import FakeGateway
from commerce_adapters.sql.database import PoolSettings
from commerce_core.accounts.policy import Actor
from commerce_core.clock import ManualClock
from commerce_core.errors import InsufficientStock
from commerce_core.facade import Commerce
from tests.concurrency import run_together
from tests.conftest import ADMIN, HOME, add_product, make_shop

WIDE_POOL = {"settings": PoolSettings(pool_size=55, max_overflow=5)}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def shop(postgres_url: str, clock: ManualClock) -> Commerce:
    return make_shop(clock, FakeGateway(), postgres_url, database_options=WIDE_POOL)


def test_fifty_connections_buy_ten_units_twenty_times_over(shop: Commerce) -> None:
    category = shop.catalog.create_category(ADMIN, "Hot").id
    for run in range(20):
        product = add_product(shop, category, f"Hot {run}", stock=10)
        buyers = [Actor.customer(100_000 * (run + 1) + n) for n in range(50)]
        for buyer in buyers:
            shop.cart.add_item(buyer, product.id, 1)

        def buy(buyer: Actor) -> Callable[[], object]:
            return lambda: shop.checkout.place_order(buyer, HOME, payment_token="tok_visa")

        errors = run_together([buy(b) for b in buyers])
        assert len(errors) == 40 and all(isinstance(e, InsufficientStock) for e in errors), \
            f"run {run}: {[repr(e) for e in errors if not isinstance(e, InsufficientStock)]}"
        stock = shop.inventory.stock(ADMIN, product.variants[0].id)
        assert (stock.available, stock.reserved, stock.sold) == (0, 0, 10), f"run {run}"
        orders = sum(shop.orders.history(ADMIN, user_id=b.user_id).total_count for b in buyers)
        assert orders == 10, f"run {run}"


def test_multi_line_checkouts_in_random_order_never_deadlock(shop: Commerce) -> None:
    category = shop.catalog.create_category(ADMIN, "Mixed").id
    products = [add_product(shop, category, f"Item {n}", stock=12) for n in range(5)]
    rng = random.Random(42)
    buyers = [Actor.customer(900_000 + n) for n in range(20)]
    for buyer in buyers:
        for p in rng.sample(products, k=rng.randint(2, 5)):  # lines added in random order
            shop.cart.add_item(buyer, p.id, rng.randint(1, 2))

    def buy(buyer: Actor) -> Callable[[], object]:
        return lambda: shop.checkout.place_order(buyer, HOME, payment_token="tok_visa")

    errors = run_together([buy(b) for b in buyers])
    assert all(isinstance(e, InsufficientStock) for e in errors), [repr(e) for e in errors]
    for p in products:
        s = shop.inventory.stock(ADMIN, p.variants[0].id)
        assert s.reserved == 0 and s.available + s.sold == 12 and s.available >= 0
    sold = sum(shop.inventory.stock(ADMIN, p.variants[0].id).sold for p in products)
    bought = sum(i.quantity for b in buyers
                 for o in shop.orders.history(ADMIN, user_id=b.user_id).items
                 if o.status.value == "CONFIRMED" for i in o.items)
    assert sold == bought > 0


def test_sweepers_at_once_expire_each_reservation_exactly_once(shop: Commerce,
                                                               clock: ManualClock) -> None:
    # each sweeper reads the due reservations unlocked; the conditional release is what
    # lets only one of them give a reservation's stock back and cancel its order
    category = shop.catalog.create_category(ADMIN, "Slow").id
    product = add_product(shop, category, "Unpaid", stock=60)
    variant = product.variants[0].id
    buyers = [Actor.customer(700_000 + n) for n in range(30)]
    for buyer in buyers:
        shop.cart.add_item(buyer, product.id, 2)
        shop.checkout.place_order(buyer, HOME)  # no token: waits for payment
    assert shop.inventory.stock(ADMIN, variant).reserved == 60
    clock.advance(timedelta(minutes=31))
    expired: list[int] = []
    errors = run_together([lambda: expired.append(shop.checkout.expire_reservations())] * 6)
    assert errors == [] and sum(expired) == 30, expired
    s = shop.inventory.stock(ADMIN, variant)
    assert (s.available, s.reserved, s.sold) == (60, 0, 0)
    assert shop.inventory.movements(ADMIN, variant)[-1].movement_type.value == "IN"
    cancelled = [o for b in buyers for o in shop.orders.history(ADMIN, user_id=b.user_id).items
                 if o.status.value == "CANCELLED"]
    assert len(cancelled) == 30
