"""Cache invalidation driven by the domain events: a handler of committed events.

:class:`~commerce_core.uow.Transactions` calls :meth:`CacheInvalidation.handle` in the
committing thread right after each commit (before the call that wrote returns), so with a
shared cache the next read in any worker sees the change. An event consumer of a broker
(Kafka) can call the same handler with the events it receives.
"""

from __future__ import annotations

from collections.abc import Sequence

from commerce_core.cache.aside import CacheAside
from commerce_core.events import (
    CategoriesChanged,
    DomainEvent,
    InventoryUpdated,
    ProductCreated,
    ProductUpdated,
    ReviewsChanged,
    StoreChanged,
)


class CacheInvalidation:
    def __init__(self, cached: CacheAside) -> None:
        self._cached = cached
        self._keys = cached.keys

    def handle(self, events: Sequence[DomainEvent]) -> None:
        """Drop what these events made stale: one round trip for the keys, one write per
        listing namespace (listings change with any product, and with stock that reaches
        zero or leaves it)."""
        keys: list[str] = []
        listings = False
        for event in events:
            if isinstance(event, ProductCreated | ProductUpdated | ReviewsChanged):
                keys += [self._keys.product(event.product_id),
                         self._keys.availability(event.product_id)]
                listings = True
            elif isinstance(event, InventoryUpdated):
                if event.product_id is not None:
                    keys.append(self._keys.availability(event.product_id))
                # a listing shows in_stock, not counts: a sale that leaves stock on sale
                # keeps every cached page
                listings = listings or event.may_flip_in_stock()
            elif isinstance(event, StoreChanged):  # the seller's name in the live part
                keys += map(self._keys.availability, event.product_ids)
                listings = True
            elif isinstance(event, CategoriesChanged):
                keys.append(self._keys.category_tree())
                listings = True  # a category's listing covers its subtree
            order_id = getattr(event, "order_id", None)
            if isinstance(order_id, int):
                keys.append(self._keys.order(order_id))
        self._cached.invalidate(*dict.fromkeys(keys))
        if listings:
            self._cached.invalidate_namespace(*self._keys.listings)
