"""Inserts a unit of work held back, sent to PostgreSQL as one statement of JSON rows: what
they store is what inserting each row on its own stores (every column type), a child goes
beside its parent, and a taken key is counted and named."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.batched import Deferred, send
from commerce_adapters.sql.database import normalize_url
from commerce_core.errors import Conflict


@pytest.fixture
def engine(postgres_url: str) -> Iterator[sa.Engine]:
    made = sa.create_engine(normalize_url(postgres_url))
    yield made
    made.dispose()


def _order(order_id: int, number: str) -> dict[str, Any]:
    at = datetime(2026, 12, 7, 23, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    home = {"line1": "1 Main St", "city": "Zürich", "postal_code": "8001", "country": "CH",
            "region": "", "line2": "c/o \"Ann\" \\ back", "name": None}
    return {"id": order_id, "order_number": number, "user_id": 2**62 + 1, "currency": "CHF",
            "subtotal": Decimal("19.99"), "discount": Decimal("0"), "shipping": Decimal("5"),
            "tax": Decimal("1.5349"), "total_amount": Decimal("26.5249"),
            "status": "PENDING", "payment_status": "PENDING", "shipping_address": home,
            "billing_address": home, "coupon_code": None, "payment_method": "card",
            "cancel_reason": "", "timeline": [{"event": "ORDER_PLACED", "note": "é ✓"}],
            "created_at": at, "updated_at": at}


def _item(item_id: int, order_id: int) -> dict[str, Any]:
    return {"id": item_id, "order_id": order_id, "product_id": 1, "variant_id": 2,
            "sku": "SKU-1", "product_name": "Lamp 'deluxe'", "seller_id": 3,
            "category_id": None, "quantity": 2, "unit_price": Decimal("9.995"),
            "subtotal": Decimal("19.99"), "discount": Decimal("0"), "tax": Decimal("0"),
            "status": "PENDING", "position": 0}


def _stored(conn: sa.Connection, table: sa.Table, key: int) -> dict[str, Any]:
    row = conn.execute(sa.select(table).where(table.c.id == key)).one()._asdict()
    return {k: v for k, v in row.items() if k not in ("id", "order_id", "order_number")}


def test_merged_rows_store_what_rows_sent_one_by_one_store(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        send(conn, "postgresql", [Deferred(t.orders, [_order(1, "ORD-1")]),
                                  Deferred(t.order_items, [_item(11, 1)])])
        for statement in (t.orders.insert(), t.order_items.insert()):
            conn.execute(statement, _order(2, "ORD-2") if statement.table is t.orders
                         else _item(12, 2))
    with engine.connect() as conn:
        merged, single = _stored(conn, t.orders, 1), _stored(conn, t.orders, 2)
        assert merged == single
        assert merged["created_at"] == datetime(2026, 12, 7, 21, 30, 15, 123456, tzinfo=UTC)
        assert merged["user_id"] == 2**62 + 1  # beyond a float's exact range
        assert merged["shipping_address"]["line2"] == "c/o \"Ann\" \\ back"
        assert _stored(conn, t.order_items, 11) == _stored(conn, t.order_items, 12)


def test_a_child_goes_in_the_statement_of_its_parent_and_a_missing_parent_fails(
        engine: sa.Engine) -> None:
    with engine.begin() as conn:
        send(conn, "postgresql", [Deferred(t.order_items, [_item(21, 3), _item(22, 3)]),
                                  Deferred(t.orders, [_order(3, "ORD-3")])])
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.order_items).where(
            t.order_items.c.order_id == 3)).scalar_one() == 2
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        send(conn, "postgresql", [Deferred(t.orders, [_order(4, "ORD-4")]),
                                  Deferred(t.order_items, [_item(23, 404)])])


def test_a_taken_key_raises_the_error_its_insert_named_and_nothing_stays(
        engine: sa.Engine) -> None:
    with engine.begin() as conn:
        send(conn, "postgresql", [Deferred(t.orders, [_order(5, "ORD-5")])])
    taken = Conflict("order ORD-5 exists")
    with pytest.raises(Conflict) as raised, engine.begin() as conn:
        send(conn, "postgresql", [Deferred(t.order_items, [_item(31, 5)]),
                                  Deferred(t.orders, [_order(6, "ORD-5")], taken)])
    assert raised.value is taken
    with engine.connect() as conn:
        assert conn.execute(sa.select(t.order_items.c.id).where(
            t.order_items.c.id == 31)).first() is None


def test_a_json_column_holding_none_is_sent_one_by_one_as_sqlalchemy_stores_it(
        engine: sa.Engine) -> None:
    now = datetime.now(UTC)
    rows = [{"section": f"s{n}", "data": None, "version": 1, "updated_at": now,
             "updated_by": None} for n in range(2)]
    with engine.begin() as conn:
        send(conn, "postgresql", [Deferred(t.shop_settings, rows[:1]),
                                  Deferred(t.shop_settings, rows[1:])])
        conn.execute(t.shop_settings.insert(), {**rows[0], "section": "s-alone"})
    with engine.connect() as conn:
        stored: dict[str, str | None] = dict(conn.exec_driver_sql(
            "SELECT section, data::text FROM shop_settings WHERE section LIKE 's%%'").all())
    assert stored["s0"] == stored["s1"] == stored["s-alone"]
