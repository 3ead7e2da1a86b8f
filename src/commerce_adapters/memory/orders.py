"""In-memory orders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from commerce_adapters.memory.state import Journal, MemoryState, fresh
from commerce_core.errors import Conflict, NotFound
from commerce_core.orders.model import Order, OrderStatus
from commerce_core.orders.ports import OrderQuery
from commerce_core.pagination import Page, PageRequest

_PAID = frozenset({OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED})


class MemoryOrders:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[int, Order] = state.table("orders")
        self._numbers = state.table("order_numbers")
        self._j = journal

    def add(self, order: Order) -> None:
        if order.id in self._rows or order.number in self._numbers:
            raise Conflict(f"order {order.number} exists", {"order_number": order.number})
        self._j.put(self._numbers, order.number, order.id)
        self._j.put(self._rows, order.id, order)

    def get(self, order_id: int) -> Order:
        try:
            return fresh(self._rows[order_id])
        except KeyError:
            raise NotFound(f"order {order_id} not found", {"order_id": order_id}) from None

    def update(self, order: Order) -> None:
        order.version = self.get(order.id).version + 1
        self._j.put(self._rows, order.id, fresh(order))

    def move(self, order: Order) -> bool:
        stored = self._rows.get(order.id)
        if stored is None or stored.version != order.version:
            return False
        order.version += 1
        self._j.put(self._rows, order.id, fresh(order))
        return True

    def find(self, query: OrderQuery, page: PageRequest) -> Page[Order]:
        def keep(o: Order) -> bool:
            return ((query.user_id is None or o.user_id == query.user_id)
                    and (query.seller_id is None
                         or any(i.seller_id == query.seller_id for i in o.items))
                    and (query.status is None or o.status is query.status)
                    and (query.from_date is None or o.created_at >= query.from_date)
                    and (query.to_date is None or o.created_at < query.to_date))
        hits = sorted((o for o in self._rows.values() if keep(o)),
                      key=lambda o: (o.created_at, o.id), reverse=True)
        chunk = hits[page.offset:page.offset + page.limit]
        return Page([fresh(o) for o in chunk], len(hits), page.page, page.limit)


    def count(self, query: OrderQuery) -> int:
        return self.find(query, PageRequest(1, 1)).total_count

    def created_between(self, since: datetime, until: datetime,
                        seller_id: int | None) -> Sequence[Order]:
        hits = sorted((o for o in self._rows.values() if since <= o.created_at < until
                       and (seller_id is None or any(i.seller_id == seller_id
                                                     for i in o.items))),
                      key=lambda o: (o.created_at, o.id))
        return [fresh(o) for o in hits]

    def has_purchased(self, user_id: int, product_id: int) -> bool:
        return any(i.product_id == product_id and i.status in _PAID
                   for o in self._rows.values() if o.user_id == user_id for i in o.items)
