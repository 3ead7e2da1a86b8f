"""Order storage."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import attrs

from commerce_core.orders.model import Order, OrderStatus
from commerce_core.pagination import Page, PageRequest


@attrs.frozen
class OrderQuery:
    user_id: int | None = None
    seller_id: int | None = None
    status: OrderStatus | None = None
    from_date: datetime | None = None   # inclusive
    to_date: datetime | None = None     # exclusive


class OrderRepository(Protocol):
    def add(self, order: Order) -> None:
        """Store a new order with its items; Conflict if its id or number exists."""
        ...

    def get(self, order_id: int) -> Order:
        """NotFound if absent."""
        ...

    def update(self, order: Order) -> None:
        """Replace status, items' status, payment status and timeline; NotFound if absent."""
        ...

    def find(self, query: OrderQuery, page: PageRequest) -> Page[Order]:
        """Orders matching ``query``, newest first."""
        ...
