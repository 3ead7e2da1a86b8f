"""In-memory checkout saga records."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from commerce_adapters.memory.state import Journal, MemoryState, fresh
from commerce_core.checkout.model import Checkout, CheckoutState
from commerce_core.errors import Conflict, NotFound


class MemoryCheckouts:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[int, Checkout] = state.table("checkouts")
        self._by_order = state.table("checkout_orders")
        self._j = journal

    def add(self, checkout: Checkout) -> None:
        if checkout.id in self._rows or checkout.order_id in self._by_order:
            raise Conflict(f"checkout {checkout.id} exists")
        self._j.put(self._by_order, checkout.order_id, checkout.id)
        self._j.put(self._rows, checkout.id, checkout)

    def get(self, checkout_id: int) -> Checkout:
        try:
            return fresh(self._rows[checkout_id])
        except KeyError:
            raise NotFound(f"checkout {checkout_id} not found") from None

    def for_order(self, order_id: int) -> Checkout:
        if order_id not in self._by_order:
            raise NotFound(f"no checkout for order {order_id}", {"order_id": order_id})
        return self.get(self._by_order[order_id])

    def move(self, checkout: Checkout, expected: CheckoutState) -> bool:
        stored = self._rows.get(checkout.id)
        if stored is None or stored.state is not expected:
            return False
        self._j.put(self._rows, checkout.id, fresh(checkout))
        return True

    def created_between(self, since: datetime, until: datetime) -> Sequence[Checkout]:
        hits = sorted((c for c in self._rows.values() if since <= c.created_at < until),
                      key=lambda c: (c.created_at, c.id))
        return [fresh(c) for c in hits]

    def stuck(self, states: Collection[CheckoutState], updated_before: datetime,
              limit: int) -> Sequence[Checkout]:
        found = sorted((c for c in self._rows.values()
                        if c.state in states and c.updated_at < updated_before),
                       key=lambda c: c.updated_at)
        return [fresh(c) for c in found[:limit]]
