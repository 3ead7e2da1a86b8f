"""Writes that span two parts (a product in the catalog store, its stock rows in the
transactional store) in their stated order: a crash between them never shows a buyer half a
product, and the maintenance pass repairs what it left (docs/parts.md)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest

from commerce_core.catalog.ports import CatalogSession, CatalogSessions
from commerce_core.catalog.service import VariantSpec
from commerce_core.clock import ManualClock
from commerce_core.errors import Conflict, NotFound
from commerce_core.events import DomainEvent, ProductCreated, ProductUpdated
from commerce_core.facade import Commerce
from commerce_core.uow import RELAY_GRACE
from tests.conftest import SELLER, add_product


class Crash(BaseException):
    """The process dies here: no handler runs (a BaseException, as in test_checkout)."""


class _Dying:
    """A repository whose ``method`` kills the process before it writes."""

    def __init__(self, real: object, method: str) -> None:
        self._real, self._method = real, method

    def __getattr__(self, name: str) -> Any:
        if name == self._method:
            raise Crash(f"killed in products.{name}")
        return getattr(self._real, name)


class CrashingSession:
    """A writing catalog session whose ``products.<method>`` kills the process."""

    def __init__(self, real: CatalogSession, method: str) -> None:
        self._real, self._method = real, method

    def __enter__(self) -> CrashingSession:
        self._real.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._real.__exit__(*exc)

    def commit(self) -> None:
        self._real.commit()

    @property
    def products(self) -> Any:
        return _Dying(self._real.products, self._method)

    @property
    def categories(self) -> Any:
        return self._real.categories

    @property
    def reviews(self) -> Any:
        return self._real.reviews


def crashing(sessions: CatalogSessions, method: str) -> CatalogSessions:
    def open_session(**options: Any) -> Any:
        real = sessions(**options)
        return real if options.get("read_only") else CrashingSession(real, method)
    return open_session


@contextmanager
def crash_in(shop: Commerce, method: str) -> Iterator[None]:
    real = shop.tx._catalog
    shop.tx._catalog = crashing(real, method)
    try:
        with pytest.raises(Crash):
            yield
    finally:
        shop.tx._catalog = real


def stock_rows(shop: Commerce) -> set[int]:
    return {row.stock.variant_id for row in shop.sellers.inventory(SELLER)}


def spec(sku: str, stock: int = 5) -> VariantSpec:
    return VariantSpec(sku, "10.00", stock=stock)


def published(shop: Commerce) -> list[DomainEvent]:
    seen: list[DomainEvent] = []
    shop.publisher.subscribe(DomainEvent, seen.append)  # type: ignore[attr-defined]
    return seen


def test_a_crash_between_stock_and_catalog_shows_buyers_nothing_and_is_repaired(
        shop: Commerce, clock: ManualClock, category: int) -> None:
    with crash_in(shop, "add"):
        shop.catalog.create_product(SELLER, name="Lamp", category_id=category,
                                    variants=[spec("LAMP-1")])
    assert shop.catalog.list_products().items == []  # nothing to see, cart or buy
    assert len(stock_rows(shop)) == 1  # the stock row written first waits, unreachable
    events = published(shop)
    assert shop.run_maintenance()["repaired_stock_rows"] == 0  # its request may be alive
    clock.advance(RELAY_GRACE + timedelta(seconds=1))
    done = shop.run_maintenance()
    assert done["repaired_stock_rows"] == 1 and stock_rows(shop) == set()
    # the notice is still delivered: it says "re-read product X", and X is not there
    assert [type(e) for e in events] == [ProductCreated] and done["relayed_events"] == 1
    again = shop.catalog.create_product(SELLER, name="Lamp", category_id=category,
                                        variants=[spec("LAMP-1")])
    assert stock_rows(shop) == {again.variants[0].id}
    assert shop.run_maintenance()["repaired_stock_rows"] == 0


def test_a_crashed_new_variant_leaves_the_product_whole_and_its_row_is_repaired(
        shop: Commerce, clock: ManualClock, category: int) -> None:
    product = add_product(shop, category, "Desk", stock=3)
    with crash_in(shop, "update"):
        shop.catalog.add_variant(SELLER, product.id, VariantSpec("DESK-XL", "20.00",
                                                                 {"size": "XL"}, stock=2))
    assert [v.id for v in shop.catalog.get_product(product.id).variants] == [
        product.variants[0].id]
    assert len(stock_rows(shop)) == 2
    clock.advance(RELAY_GRACE + timedelta(seconds=1))
    assert shop.run_maintenance()["repaired_stock_rows"] == 1
    assert stock_rows(shop) == {product.variants[0].id}  # the listed variant keeps its stock
    assert shop.catalog.product_detail(product.id).available == 3


def test_a_refused_catalog_write_takes_its_stock_rows_back_at_once(
        shop: Commerce, category: int) -> None:
    first = shop.catalog.create_product(SELLER, name="Mug", category_id=category,
                                        variants=[spec("MUG-1")])
    events = published(shop)
    with pytest.raises(Conflict):
        shop.catalog.create_product(SELLER, name="Other mug", category_id=category,
                                    variants=[spec("MUG-1")])
    assert stock_rows(shop) == {first.variants[0].id}
    assert events == []  # its notice was withdrawn: nothing happened to announce
    assert shop.outbox.stale() == []


def test_a_crash_after_the_notice_leaves_the_catalog_as_it_was_and_the_notice_relayed(
        shop: Commerce, clock: ManualClock, category: int) -> None:
    product = add_product(shop, category, "Chair")
    with crash_in(shop, "update"):
        shop.catalog.update_product(SELLER, product.id, name="Armchair")
    assert shop.catalog.get_product(product.id).name == "Chair"
    events = published(shop)
    clock.advance(RELAY_GRACE + timedelta(seconds=1))
    assert shop.run_maintenance()["relayed_events"] == 1
    assert [type(e) for e in events] == [ProductUpdated]  # consumers re-read: still "Chair"
    assert shop.run_maintenance()["repaired_stock_rows"] == 0  # nothing of it to undo


def test_repair_never_touches_a_listed_product(shop: Commerce, clock: ManualClock,
                                               category: int) -> None:
    product = add_product(shop, category, "Shelf", prices=("5.00", "6.00"))
    with crash_in(shop, "update"):
        shop.catalog.set_price(SELLER, product.variants[0].id, "7.00")
    clock.advance(RELAY_GRACE + timedelta(seconds=1))
    assert shop.run_maintenance()["repaired_stock_rows"] == 0
    assert stock_rows(shop) == {v.id for v in product.variants}
    with pytest.raises(NotFound):
        shop.catalog.get_product(product.id + 1)
