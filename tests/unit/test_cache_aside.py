"""Cache-aside (commerce_core/cache/aside.py) and its event-driven invalidation, on the
memory cache and on one that goes down."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

import pytest

from commerce_adapters.memory.cache import MemoryCache
from commerce_core.cache.aside import CacheAside
from commerce_core.cache.invalidation import CacheInvalidation
from commerce_core.cache.keys import CacheKeys
from commerce_core.errors import Unavailable
from commerce_core.events import (
    CategoriesChanged,
    InventoryUpdated,
    OrderShipped,
    ProductUpdated,
    ReviewsChanged,
)
from tests.concurrency import run_together

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class FlakyCache(MemoryCache):
    """A memory cache that can be switched off, as a Redis that stops answering."""

    down = False

    def _check(self) -> None:
        if self.down:
            raise Unavailable("the cache is unavailable")

    def get_many(self, keys: Iterable[str]) -> Mapping[str, bytes]:
        self._check()
        return super().get_many(keys)

    def get(self, key: str) -> bytes | None:
        self._check()
        return super().get(key)

    def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        self._check()
        super().set(key, value, ttl_seconds)

    def add(self, key: str, value: bytes, ttl_seconds: float) -> bool:
        self._check()
        return super().add(key, value, ttl_seconds)

    def delete(self, *keys: str) -> int:
        self._check()
        return super().delete(*keys)

    def delete_prefix(self, prefix: str) -> int:
        self._check()
        return super().delete_prefix(prefix)


def test_a_miss_loads_and_stores_then_hits() -> None:
    aside = CacheAside(MemoryCache())
    loads: list[int] = []

    def load() -> bytes:
        loads.append(1)
        return b"v"

    assert aside.fetch("k", 60, load) == b"v"
    assert aside.fetch("k", 60, load) == b"v"
    assert len(loads) == 1
    assert aside.counts() == {"hit": 1, "miss": 1, "error": 0}


@pytest.mark.parametrize("round_", range(3))
def test_one_loader_per_key_among_concurrent_readers(round_: int) -> None:
    aside = CacheAside(MemoryCache())
    loads: list[int] = []
    lock = threading.Lock()

    def load() -> bytes:
        with lock:
            loads.append(1)
        time.sleep(0.05)  # a slow query: the others must wait for it, not repeat it
        return b"v"

    results: list[bytes] = []
    errors = run_together([lambda: results.append(aside.fetch("hot", 60, load))
                           for _ in range(8)])
    assert errors == [] and results == [b"v"] * 8
    assert len(loads) == 1


def test_a_cache_that_is_down_is_bypassed() -> None:
    cache = FlakyCache()
    aside = CacheAside(cache)
    cache.down = True
    assert aside.fetch("k", 60, lambda: b"from the truth") == b"from the truth"
    assert aside.counts()["error"] == 1
    cache.down = False
    assert aside.fetch("k", 60, lambda: b"again") == b"again"  # nothing stale was kept


def test_invalidations_missed_while_down_are_sent_when_it_answers() -> None:
    cache = FlakyCache()
    aside = CacheAside(cache)
    aside.fetch("product:1", 60, lambda: b"old")
    aside.fetch_in("products:page:", "x", 60, lambda: b"old page")
    cache.down = True
    aside.invalidate("product:1")
    aside.invalidate_namespace("products:page:")
    assert aside.behind
    cache.down = False
    assert aside.fetch("product:1", 60, lambda: b"new") == b"new"
    assert aside.fetch_in("products:page:", "x", 60, lambda: b"new page") == b"new page"
    assert not aside.behind


def test_a_value_loaded_across_an_invalidation_is_not_kept() -> None:
    aside = CacheAside(MemoryCache())

    def load_then_change() -> bytes:
        aside.invalidate("k")  # the write commits while this read is loading
        return b"read before the change"

    assert aside.fetch("k", 60, load_then_change) == b"read before the change"
    assert aside.fetch("k", 60, lambda: b"after") == b"after"


def test_events_drop_the_keys_they_make_stale() -> None:
    keys = CacheKeys("shop:")
    aside = CacheAside(MemoryCache(), keys)
    every = [keys.product(1), keys.availability(1), keys.product(2), keys.category_tree(),
             keys.order(7), keys.order(8)]
    pages = [keys.listing({"page": 1}), keys.listing({"search": "lamp", "page": 1})]
    handler = CacheInvalidation(aside)

    def fill() -> None:
        for key in every:
            aside.cache.set(key, b"x", 60)
        for namespace, key in pages:
            aside.fetch_in(namespace, key, 60, lambda: b"x")

    def left() -> list[str]:
        """The keys still cached, pages included (a page found gone is loaded again)."""
        still = [k for k in every if aside.cache.get(k) is not None]
        loaded: list[str] = []
        for namespace, key in pages:
            def load(name: str = namespace + key) -> bytes:
                loaded.append(name)
                return b"x"

            aside.fetch_in(namespace, key, 60, load)
        still += [ns + k for ns, k in pages if ns + k not in loaded]
        return still

    fill()
    handler.handle([ProductUpdated(occurred_at=NOW, product_id=1, seller_id=3)])
    assert left() == [keys.product(2), keys.category_tree(), keys.order(7), keys.order(8)]
    fill()
    handler.handle([InventoryUpdated(occurred_at=NOW, variant_id=5, available=1, reserved=0,
                                     sold=0, reason="restock", product_id=2)])
    still = left()
    assert keys.availability(1) in still and keys.availability(2) not in still
    assert keys.product(2) in still and "".join(pages[0]) not in still
    fill()  # a sale that leaves stock: the product's stock goes, no listing page does
    handler.handle([InventoryUpdated(occurred_at=NOW, variant_id=5, available=4, reserved=1,
                                     sold=0, reason="reserved", product_id=2,
                                     available_before=5)])
    still = left()
    assert keys.availability(2) not in still
    assert all("".join(page) in still for page in pages)
    fill()  # the last one sold: in_stock changes on every listing showing it
    handler.handle([InventoryUpdated(occurred_at=NOW, variant_id=5, available=0, reserved=1,
                                     sold=0, reason="reserved", product_id=2,
                                     available_before=1)])
    still = left()
    assert not any("".join(page) in still for page in pages)
    fill()
    handler.handle([ReviewsChanged(occurred_at=NOW, product_id=2),
                    CategoriesChanged(occurred_at=NOW, category_id=4),
                    OrderShipped(occurred_at=NOW, order_id=7, user_id=1, shipment_id=2,
                                 carrier="x", tracking_number="t")])
    assert left() == [keys.product(1), keys.availability(1), keys.order(8)]


def test_no_cache_loads_every_time() -> None:
    from commerce_adapters.memory.cache import NoCache  # noqa: PLC0415

    aside = CacheAside(NoCache())
    loads: list[int] = []

    def load() -> bytes:
        loads.append(1)
        return b"v"

    for _ in range(3):
        assert aside.fetch("k", 60, load) == b"v"
    assert len(loads) == 3
    with pytest.raises(ValueError):
        NoCache().set("k", b"v", 0)
