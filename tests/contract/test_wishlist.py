"""Contract of the WishlistRepository port (wishlist/ports.py)."""

from __future__ import annotations

from datetime import timedelta

from commerce_core.pagination import PageRequest
from commerce_core.wishlist.model import WishlistItem
from tests.contract.conftest import Backend


def test_wishlists(backend: Backend) -> None:
    now = backend.clock.now()
    with backend.storage.uow_factory() as uow:
        assert uow.wishlists.add(WishlistItem(1, 10, now))
        assert uow.wishlists.add(WishlistItem(1, 11, now + timedelta(seconds=1)))
        assert not uow.wishlists.add(WishlistItem(1, 10, now + timedelta(seconds=2)))
        assert uow.wishlists.add(WishlistItem(2, 10, now))
        assert [i.product_id for i in uow.wishlists.list(1, PageRequest()).items] == [11, 10]
        assert uow.wishlists.count(1) == 2
        assert uow.wishlists.remove(1, 10) and not uow.wishlists.remove(1, 10)
        assert uow.wishlists.list(1, PageRequest(1, 1)).total_count == 1
