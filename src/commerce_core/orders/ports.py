"""Order storage."""

from __future__ import annotations

from collections.abc import Sequence
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
        """Replace status, items' status, payment status and timeline (the caller read the
        order under a lock); bumps ``order.version``. NotFound if absent."""
        ...

    def move(self, order: Order) -> bool:
        """Store what :meth:`update` stores if the stored order is still at
        ``order.version`` (bumping it); False, writing nothing, if it was written since."""
        ...

    def find(self, query: OrderQuery, page: PageRequest) -> Page[Order]:
        """Orders matching ``query``, newest first."""
        ...

    def count(self, query: OrderQuery) -> int:
        """How many orders match ``query``."""
        ...

    def created_between(self, since: datetime, until: datetime,
                        seller_id: int | None) -> Sequence[Order]:
        """Orders created in [since, until) (holding an item of ``seller_id`` if given),
        oldest first; for reports."""
        ...

    def has_purchased(self, user_id: int, product_id: int) -> bool:
        """Whether the user holds a paid, not cancelled item of the product."""
        ...
