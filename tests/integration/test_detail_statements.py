"""What one uncached product detail costs on SQL: its statements and the database
transactions around them, counted with SQLAlchemy's engine events. On PostgreSQL each
statement is a round trip, and a transaction adds two more (BEGIN, and its end)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from falcon import testing

from commerce_adapters.fake.payments import FakeGateway
from commerce_adapters.sql.database import Database, PoolSettings
from commerce_adapters.sql.uow import SqlUnitOfWork
from commerce_core.accounts.policy import Actor
from commerce_core.catalog.service import VariantSpec
from commerce_core.clock import ManualClock
from commerce_core.ids import SnowflakeIds
from commerce_core.sellers.model import SellerProfile
from commerce_http import create_app
from tests.conftest import ADMIN, SELLER, make_shop


def _in_transaction(conn: sa.Connection) -> bool:
    """Whether the driver's connection is inside a database transaction (not SQLAlchemy's
    own bookkeeping, which begins one even where the database is left in autocommit)."""
    driver: Any = conn.connection.dbapi_connection
    if conn.dialect.name == "sqlite":
        return bool(driver.in_transaction)
    return bool(driver.info.transaction_status != 0)  # psycopg: 0 is IDLE


class Counter:
    """What this thread runs: the event delivery thread stamps delivered events published
    (once a second, whenever it is due), which is no part of a request."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.through_sqlalchemy: list[str] = []  # the rest went to the driver (sql.direct)
        self.transactions = 0  # statements that left the connection in a new transaction
        self._thread = threading.get_ident()
        self._before = False

    def before(self, conn: sa.Connection, _cursor: Any, statement: str, _params: Any,
               context: Any, *_: Any) -> None:
        if threading.get_ident() != self._thread:
            return
        self._before = _in_transaction(conn)
        if not statement.lstrip().upper().startswith("BEGIN"):  # SQLite's explicit BEGIN
            self.statements.append(statement)
            if context is not None:  # SQLAlchemy passes its execution context
                self.through_sqlalchemy.append(statement)

    def after(self, conn: sa.Connection, *_: Any) -> None:
        if threading.get_ident() == self._thread and not self._before:
            self.transactions += _in_transaction(conn)

    def round_trips(self) -> int:
        """On PostgreSQL: each statement, and a BEGIN and an end per transaction."""
        return len(self.statements) + 2 * self.transactions


@pytest.fixture
def counter() -> Iterator[Counter]:
    found = Counter()
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", found.before)
    sa.event.listen(sa.engine.Engine, "after_cursor_execute", found.after)
    yield found
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", found.before)
    sa.event.remove(sa.engine.Engine, "after_cursor_execute", found.after)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shop.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def test_one_product_detail_is_one_statement_and_no_transaction(
        database_url: str, counter: Counter, clock: ManualClock, gateway: FakeGateway) -> None:
    shop = make_shop(clock, gateway, database_url, cache_url="none://")
    shop.sellers.create_profile(SELLER, "Lumen")
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    product = shop.catalog.create_product(
        SELLER, name="Desk lamp", category_id=category, images=["a.png", "b.png"],
        attributes={"colour": "black"},
        variants=[VariantSpec("LAMP-S", Decimal("19.99"), {"size": "S"}, stock=3),
                  VariantSpec("LAMP-L", Decimal("24.99"), {"size": "L"}, stock=0)])
    client = testing.TestClient(create_app(shop))
    path = f"/api/v1/products/{product.id}"
    assert client.simulate_get(path).status_code == 200  # warm: statement caches, pools
    counter.statements.clear()
    counter.transactions = 0

    answer = client.simulate_get(path)

    assert answer.status_code == 200
    data = answer.json["data"]
    assert data["seller"] == {"seller_id": str(SELLER.user_id), "name": "Lumen",
                              "rating": None}
    assert data["images"] == ["a.png", "b.png"]
    assert data["attributes"] == {"colour": ["black"], "size": ["S", "L"]}
    assert data["availability"] == {"in_stock": True, "quantity": 3}
    assert [v["available"] for v in data["variants"]] == [3, 0]
    # the product with its variants, images and attributes, their stock and the seller's
    # profile: one statement (one snapshot), so no transaction around it
    assert [s.rsplit("FROM", 1)[1].split()[0] for s in counter.statements] == [
        "products"], counter.statements
    assert counter.transactions == 0, counter.statements
    assert counter.round_trips() == 1


def test_a_listing_page_reads_its_sellers_in_one_statement_with_no_transaction(
        database_url: str, counter: Counter, clock: ManualClock, gateway: FakeGateway) -> None:
    """A page of products from several sellers: the page and its count in one catalog
    read, then every seller's profile in one statement (each is whole on its own)."""
    shop = make_shop(clock, gateway, database_url, cache_url="none://")
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    sellers = [Actor.seller(SELLER.user_id + n) for n in range(4)]
    for n, seller in enumerate(sellers):
        shop.sellers.create_profile(seller, f"Store {n}")
        for k in range(3):
            shop.catalog.create_product(seller, name=f"Lamp {n}.{k}", category_id=category,
                                        variants=[VariantSpec(f"L-{n}-{k}", "9.99", stock=1)])
    client = testing.TestClient(create_app(shop))
    path = "/api/v1/products?limit=20"
    assert client.simulate_get(path).status_code == 200  # warm: statement caches, pools
    counter.statements.clear()
    counter.transactions = 0

    answer = client.simulate_get(path)

    assert answer.status_code == 200
    products = answer.json["data"]["products"]
    assert len(products) == 12
    assert {p["seller"]["name"] for p in products} == {f"Store {n}" for n in range(4)}
    assert [s.rsplit("FROM", 1)[1].split()[0].strip("()") for s in counter.statements] == [
        "products", "products", "sellers"], counter.statements
    assert counter.transactions == 1, counter.statements  # the page and its count


# The body the detail sent before its product, children, stock and seller were read in one
# statement, byte for byte (ids filled in): children in their stored order (images by display
# order, attributes by name, variants by position), prices exact, option keys as given.
DETAIL_BODY = (
    '{{"status":"success","data":{{"product_id":"{product}","name":"Desk lamp",'
    '"description":"Bright","price":"19.99","currency":"USD",'
    '"images":["c.png","a.png","b.png"],"attributes":{{"brand":["Lumen"],'
    '"colour":["black"],"material":["steel"],"size":["S","M","L"],'
    '"finish":["matt","gloss"]}},"tags":["desk","light"],"category_id":"{category}",'
    '"rating":null,"reviews_count":0,"is_active":true,"seller":{{"seller_id":"{seller}",'
    '"name":"Lumen","rating":null}},"availability":{{"in_stock":true,"quantity":10}},'
    '"variants":[{{"variant_id":"{v0}","sku":"L-S","price":"19.99",'
    '"options":{{"size":"S","finish":"matt"}},"weight_grams":0,"available":3}},'
    '{{"variant_id":"{v1}","sku":"L-M","price":"20.00",'
    '"options":{{"size":"M","finish":"gloss"}},"weight_grams":0,"available":0}},'
    '{{"variant_id":"{v2}","sku":"L-L","price":"1234.50",'
    '"options":{{"size":"L","finish":"matt"}},"weight_grams":0,"available":7}}]}}}}')


def test_a_product_detail_reads_as_before(database_url: str, clock: ManualClock,
                                          gateway: FakeGateway) -> None:
    shop = make_shop(clock, gateway, database_url, cache_url="none://")
    shop.sellers.create_profile(SELLER, "Lumen")
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    product = shop.catalog.create_product(
        SELLER, name="Desk lamp", category_id=category, description="Bright",
        images=["c.png", "a.png", "b.png"], tags=["desk", "light"],
        attributes={"brand": "Lumen", "colour": "black", "material": "steel"},
        variants=[
            VariantSpec("L-S", Decimal("19.99"), {"size": "S", "finish": "matt"}, stock=3),
            VariantSpec("L-M", Decimal("20"), {"size": "M", "finish": "gloss"}, stock=0),
            VariantSpec("L-L", Decimal("1234.50"), {"size": "L", "finish": "matt"}, stock=7)])
    client = testing.TestClient(create_app(shop))

    answer = client.simulate_get(f"/api/v1/products/{product.id}")

    v0, v1, v2 = (v.id for v in product.variants)
    assert answer.content.decode() == DETAIL_BODY.format(
        product=product.id, category=category, seller=SELLER.user_id, v0=v0, v1=v1, v2=v2)


def test_the_stock_and_seller_read_with_the_product_are_as_read_alone(
        database_url: str, clock: ManualClock, gateway: FakeGateway) -> None:
    shop = make_shop(clock, gateway, database_url, cache_url="none://")
    shop.sellers.create_profile(SELLER, "Lumen")
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    product = shop.catalog.create_product(
        SELLER, name="Desk lamp", category_id=category,
        variants=[VariantSpec("L-S", Decimal("19.99"), {"size": "S"}, stock=3),
                  VariantSpec("L-L", Decimal("24.99"), {"size": "L"}, stock=0)])
    clock.advance(timedelta(hours=1, microseconds=123_456))  # timestamps travel as text
    small, large = (v.id for v in product.variants)
    shop.inventory.restock(SELLER, large, 5)
    shop.inventory.set_reorder_level(SELLER, small, 2)

    page = shop.catalog.product_page(product.id)

    assert page.detail.stock == {v: shop.inventory.stock(SELLER, v) for v in (small, large)}
    assert page.detail.stock[large].last_restocked == clock.now()
    assert page.seller == shop.sellers.profile(SELLER.user_id)


def test_a_connection_that_read_without_a_snapshot_writes_in_a_transaction_again(
        database_url: str, clock: ManualClock, gateway: FakeGateway) -> None:
    make_shop(clock, gateway, database_url)  # the schema
    db = Database(database_url, settings=PoolSettings(pool_size=1, max_overflow=0))
    ids = SnowflakeIds(node=1)
    with SqlUnitOfWork(db, clock, ids, read_only=True, snapshot=False) as reading:
        assert reading.sellers.find(SELLER.user_id) is None
        assert not _in_transaction(reading.conn)
    with SqlUnitOfWork(db, clock, ids) as writing:  # the same pooled connection
        writing.sellers.add(SellerProfile(SELLER.user_id, "Lumen", clock.now(), clock.now()))
        assert _in_transaction(writing.conn)
        # left without commit: rolled back, which autocommit would not have allowed
    with SqlUnitOfWork(db, clock, ids, read_only=True) as reading:
        assert reading.sellers.find(SELLER.user_id) is None
    db.dispose()
