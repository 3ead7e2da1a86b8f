"""Settings as data across worker processes: each process keeps its own copy of the
settings, so a change made by one must reach the next checkout of every other. Two shop
objects on one database stand for two processes (the copy belongs to the shop object)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.accounts.policy import Actor
from commerce_core.clock import ManualClock
from commerce_core.errors import ValidationError
from commerce_core.facade import Commerce
from commerce_core.money import Money
from commerce_core.pricing.coupons import Coupon, CouponKind
from tests.conftest import ADMIN, HOME, add_product, make_shop
from tests.sql_servers import sqlite_template


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "shop.db"
        path.write_bytes(sqlite_template().read_bytes())
        return f"sqlite:///{path}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def settings_reads() -> Iterator[list[str]]:
    """Every statement that reads the settings table, in this process."""
    seen: list[str] = []

    def record(_c: object, _cur: object, statement: str, *_: object) -> None:
        if "shop_settings" in statement:
            seen.append(statement)
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


def buy(shop: Commerce, buyer: Actor, product_id: int, coupon: str | None = None) -> Money:
    shop.cart.add_item(buyer, product_id, 1)
    if coupon:
        shop.cart.apply_coupon(buyer, coupon)
    return shop.checkout.place_order(buyer, HOME, payment_token="tok_visa").order.tax


def test_a_rate_stored_by_one_process_is_charged_by_the_next_checkout_of_another(
        database: str, settings_reads: list[str]) -> None:
    clock, gateway = ManualClock(), FakeGateway()
    admin_side, worker = make_shop(clock, gateway, database), make_shop(clock, gateway, database)
    phone = add_product(admin_side, admin_side.catalog.create_category(ADMIN, "C").id,
                        prices=["100.00"], stock=50)
    assert buy(worker, Actor.customer(501), phone.id) == Money("0", "USD")  # copy warm
    assert buy(worker, Actor.customer(502), phone.id) == Money("0", "USD")
    admin_side.settings.set_tax(ADMIN, [{"country": "US", "rate": "0.08"}])
    assert buy(worker, Actor.customer(503), phone.id) == Money("8.00", "USD")
    admin_side.settings.set_tax(ADMIN, [{"country": "US", "rate": "0.09"}])
    admin_side.settings.reset(ADMIN, "fraud")  # another section changing counts as well
    assert buy(worker, Actor.customer(504), phone.id) == Money("9.00", "USD")


def test_an_unchanged_shop_reads_only_the_versions_per_checkout(
        database: str, settings_reads: list[str]) -> None:
    shop = make_shop(ManualClock(), FakeGateway(), database)
    phone = add_product(shop, shop.catalog.create_category(ADMIN, "C").id, stock=50)
    shop.settings.set_tax(ADMIN, [{"country": "US", "rate": "0.08"}])
    buy(shop, Actor.customer(601), phone.id)  # the first read of this shop loads them all
    shop.cart.add_item(Actor.customer(602), phone.id, 1)  # no view priced: add_item
    del settings_reads[:]
    shop.checkout.place_order(Actor.customer(602), HOME, payment_token="tok_visa")
    assert len(settings_reads) == 1 and "data" not in settings_reads[0]


def test_a_coupon_disabled_by_one_process_is_refused_by_another(database: str) -> None:
    clock, gateway = ManualClock(), FakeGateway()
    admin_side, worker = make_shop(clock, gateway, database), make_shop(clock, gateway, database)
    phone = add_product(admin_side, admin_side.catalog.create_category(ADMIN, "C").id)
    admin_side.coupons.create(ADMIN, Coupon("TEN", CouponKind.PERCENT, Decimal(10)))
    buyer = Actor.customer(701)
    worker.cart.add_item(buyer, phone.id, 1)
    worker.cart.apply_coupon(buyer, "TEN")
    admin_side.coupons.disable(ADMIN, "TEN")
    with pytest.raises(ValidationError, match="not active"):
        worker.checkout.place_order(buyer, HOME, payment_token="tok_visa")
