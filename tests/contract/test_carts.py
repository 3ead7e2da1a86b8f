"""Contract of the CartStore port (cart/ports.py): versioned carts that expire."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from commerce_core.cart.model import Cart, CartLine
from commerce_core.clock import ManualClock
from commerce_core.errors import Conflict
from commerce_core.money import Money
from tests.concurrency import run_together
from tests.contract.conftest import Backend


def _cart(backend: Backend, user: int) -> Cart:
    cart = Cart.new(user, backend.clock.now())
    cart.add(CartLine(backend.ids.next_id(), 1, 2, "SKU", "Thing", 1, Money("5", "USD"), 1, 1),
             backend.clock.now())
    return cart


def test_cart_store_round_trip_versions_and_delete(backend_or_redis: Backend) -> None:
    backend = backend_or_redis
    store = backend.storage.carts
    assert store.get(1) is None
    saved = store.save(_cart(backend, 1))
    assert saved.version == 1 and store.get(1) == saved
    stale = _cart(backend, 1)  # version 0: written without reading the current cart
    with pytest.raises(Conflict):
        store.save(stale)
    saved.lines[0].quantity = 3
    assert store.save(saved).version == 2
    assert store.get(1).lines[0].quantity == 3  # type: ignore[union-attr]
    store.delete(1)
    store.delete(1)
    assert store.get(1) is None


def test_cart_store_expires_untouched_carts(backend_or_redis: Backend) -> None:
    backend = backend_or_redis
    store = backend.storage.carts
    store.save(_cart(backend, 2))
    backend.clock.advance(timedelta(days=30, seconds=1))
    assert store.get(2) is None
    fresh = _cart(backend, 2)  # a new cart after the old one expired starts at version 1
    fresh.updated_at = backend.clock.now()
    assert store.save(fresh).version == 1


def test_discard_removes_the_cart_only_as_it_was_read(backend_or_redis: Backend) -> None:
    backend = backend_or_redis
    store = backend.storage.carts
    read = store.save(_cart(backend, 3))
    newer = store.save(read)  # another tab saved since `read`
    with pytest.raises(Conflict):
        store.discard(read)
    assert store.get(3) == newer
    store.discard(newer)
    assert store.get(3) is None
    store.discard(newer)  # gone already: nothing to do


def test_a_joined_cart_store_commits_and_rolls_back_with_the_unit_of_work(
        backend_or_redis: Backend) -> None:
    backend = backend_or_redis
    store = backend.storage.carts
    saved = store.save(_cart(backend, 4))
    with backend.storage.uow_factory() as uow:
        joined = store.joined(uow)
        if joined is None:  # kept apart from the unit of work (memory, a server)
            return
        joined.discard(saved)
        assert joined.get(4) is None  # seen inside the transaction
        uow.rollback()
    assert store.get(4) == saved
    with backend.storage.uow_factory() as uow:
        joined = store.joined(uow)
        assert joined is not None
        joined.discard(saved)
        uow.commit()
    assert store.get(4) is None


def test_concurrent_savers_never_lose_a_line(backend_or_redis: Backend) -> None:
    """Eight writers each add their own line, retrying on Conflict as the cart service does:
    the version check is atomic, so every line is in the cart at the end."""
    backend = backend_or_redis
    store = backend.storage.carts
    now = backend.clock.now()

    def writer(n: int) -> Callable[[], None]:
        def go() -> None:
            for _ in range(200):
                cart = store.get(5) or Cart.new(5, now)
                cart.add(CartLine(backend.ids.next_id(), n, 100 + n, f"SKU{n}", "Thing", 1,
                                  Money("5", "USD"), 1, 1), now)
                try:
                    store.save(cart)
                    return
                except Conflict:
                    continue
            raise AssertionError("never saved")
        return go

    assert run_together([writer(n) for n in range(8)]) == []
    final = store.get(5)
    assert final is not None
    assert sorted(line.variant_id for line in final.lines) == [100 + n for n in range(8)]
    assert final.version == 8


def test_a_saved_cart_comes_back_whole(backend_or_redis: Backend) -> None:
    backend = backend_or_redis
    store = backend.storage.carts
    cart = _cart(backend, 6)
    cart.coupon_code = "SAVE10"
    cart.add(CartLine(backend.ids.next_id(), 7, 8, "SKU-B", "Lamp \u00e9", 3,
                      Money("19.99", "USD"), 4, 5, 1200, {"color": "red"}), backend.clock.now())
    saved = store.save(cart)
    assert store.get(6) == saved
    assert saved.lines[1].unit_price == Money("19.99", "USD")
    assert saved.lines[1].selected_attributes == {"color": "red"}


# The Redis store's own key: its TTL is the cart's 30 days, renewed by every save ----------
def test_redis_cart_key_lives_thirty_days_from_the_last_save() -> None:
    from commerce_adapters.redis.carts import RedisCartStore  # noqa: PLC0415
    from tests.contract.conftest import redis_test_client  # noqa: PLC0415

    client = redis_test_client()
    clock = ManualClock()
    store = RedisCartStore(client, clock, prefix="t:")
    cart = Cart.new(9, clock.now())
    saved = store.save(cart)
    assert 30 * 86400 - 5 <= client.ttl("t:cart:{9}") <= 30 * 86400
    clock.advance(timedelta(days=10))
    saved.updated_at = clock.now()  # a change ten days later: the cart lives 30 more days
    store.save(saved)
    assert 30 * 86400 - 5 <= client.ttl("t:cart:{9}") <= 30 * 86400
    assert store.joined(object()) is None  # type: ignore[arg-type]
