"""What one uncached product detail costs on SQL: its statements and transactions, counted
with SQLAlchemy's engine events (every statement is a round trip on PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from falcon import testing

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.catalog.service import VariantSpec
from commerce_core.clock import ManualClock
from commerce_http import create_app
from tests.conftest import ADMIN, SELLER, make_shop


class Counter:
    """What this thread runs: the event delivery thread stamps delivered events published
    (once a second, whenever it is due), which is no part of a request."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.transactions = 0
        self._thread = threading.get_ident()

    def statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if threading.get_ident() != self._thread:
            return
        if not statement.lstrip().upper().startswith("BEGIN"):  # SQLite's explicit BEGIN
            self.statements.append(statement)

    def begin(self, _conn: Any) -> None:
        if threading.get_ident() == self._thread:
            self.transactions += 1


@pytest.fixture
def counter() -> Iterator[Counter]:
    found = Counter()
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", found.statement)
    sa.event.listen(sa.engine.Engine, "begin", found.begin)
    yield found
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", found.statement)
    sa.event.remove(sa.engine.Engine, "begin", found.begin)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shop.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def test_one_product_detail_is_one_transaction(database_url: str, counter: Counter,
                                               clock: ManualClock, gateway: FakeGateway
                                               ) -> None:
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
    # product, variants, images, attributes, stock, seller: one snapshot, one transaction
    assert counter.transactions == 1, counter.statements
    assert len(counter.statements) == 6, counter.statements
