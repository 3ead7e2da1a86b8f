"""Wishlist and recent activity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.activity.ports import MAX_ENTRIES
from commerce_core.clock import ManualClock
from commerce_core.errors import InsufficientStock, NotFound, ValidationError
from commerce_core.facade import Commerce
from tests.conftest import CUSTOMER, SELLER, add_product


def test_wishlist_add_remove_list(shop: Commerce, category: int, clock: ManualClock) -> None:
    lamp, desk = add_product(shop, category, "Lamp"), add_product(shop, category, "Desk")
    assert shop.wishlist.add(CUSTOMER, lamp.id)
    clock.advance(timedelta(seconds=1))
    assert shop.wishlist.add(CUSTOMER, desk.id)
    assert not shop.wishlist.add(CUSTOMER, lamp.id)  # already there
    page = shop.wishlist.items(CUSTOMER)
    assert [e.item.product_id for e in page.items] == [desk.id, lamp.id]
    shop.catalog.deactivate_product(SELLER, desk.id)
    listed = {e.item.product_id: e.product for e in shop.wishlist.items(CUSTOMER).items}
    withdrawn, kept = listed[desk.id], listed[lamp.id]
    assert withdrawn is None or not withdrawn.is_active
    assert kept is not None and kept.is_active and kept.min_price == lamp.min_price
    with pytest.raises(NotFound):
        shop.wishlist.add(CUSTOMER, desk.id)  # withdrawn products cannot be added
    assert shop.wishlist.remove(CUSTOMER, lamp.id) and not shop.wishlist.remove(CUSTOMER, lamp.id)


def test_move_to_cart_keeps_the_entry_when_the_cart_refuses(shop: Commerce,
                                                            category: int) -> None:
    p = add_product(shop, category, stock=1)
    shop.wishlist.add(CUSTOMER, p.id)
    with pytest.raises(InsufficientStock):
        shop.wishlist.move_to_cart(CUSTOMER, p.id, quantity=2)
    assert shop.wishlist.items(CUSTOMER).total_count == 1
    view = shop.wishlist.move_to_cart(CUSTOMER, p.id)
    assert [line.product_id for line in view.cart.lines] == [p.id]
    assert shop.wishlist.items(CUSTOMER).total_count == 0


def test_activity_is_recent_first_deduplicated_and_bounded(shop: Commerce,
                                                           clock: ManualClock) -> None:
    for product_id in [1, 2, 3, 2]:
        shop.activity.viewed(CUSTOMER, product_id)
        clock.advance(timedelta(seconds=1))
    for query in ["  iPhone  15 ", "laptop", "IPHONE 15", " "]:
        shop.activity.searched(CUSTOMER, query)
    recent = shop.activity.recent(CUSTOMER)
    assert [v.product_id for v in recent.viewed] == [2, 3, 1]
    assert [s.query for s in recent.searched] == ["iphone 15", "laptop"]
    for product_id in range(100, 100 + MAX_ENTRIES + 10):
        shop.activity.viewed(CUSTOMER, product_id)
    assert len(shop.activity.recent(CUSTOMER, limit=MAX_ENTRIES).viewed) == MAX_ENTRIES
    with pytest.raises(ValidationError):
        shop.activity.recent(CUSTOMER, limit=MAX_ENTRIES + 1)
    shop.activity.forget(CUSTOMER)
    forgotten = shop.activity.recent(CUSTOMER)
    assert (forgotten.viewed, forgotten.searched) == ([], [])
