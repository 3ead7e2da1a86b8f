"""Contract of the CartStore port (cart/ports.py): versioned carts that expire."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.cart.model import Cart, CartLine
from commerce_core.errors import Conflict
from commerce_core.money import Money
from tests.contract.conftest import Backend


def _cart(backend: Backend, user: int) -> Cart:
    cart = Cart.new(user, backend.clock.now())
    cart.add(CartLine(backend.ids.next_id(), 1, 2, "SKU", "Thing", 1, Money("5", "USD"), 1, 1),
             backend.clock.now())
    return cart


def test_cart_store_round_trip_versions_and_delete(backend: Backend) -> None:
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


def test_cart_store_expires_untouched_carts(backend: Backend) -> None:
    store = backend.storage.carts
    store.save(_cart(backend, 2))
    backend.clock.advance(timedelta(days=30, seconds=1))
    assert store.get(2) is None
    fresh = _cart(backend, 2)  # a new cart after the old one expired starts at version 1
    fresh.updated_at = backend.clock.now()
    assert store.save(fresh).version == 1


def test_discard_removes_the_cart_only_as_it_was_read(backend: Backend) -> None:
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
        backend: Backend) -> None:
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
