"""Order and order-item state machines.

Order:  PENDING -> CONFIRMED -> SHIPPED -> DELIVERED;  PENDING | CONFIRMED -> CANCELLED.
Items follow the same machine; the order ships when all live items have shipped and is
delivered when all have been delivered.
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from commerce_core.address import Address
from commerce_core.errors import InvalidTransition, NotFound
from commerce_core.money import Money


class OrderStatus(enum.StrEnum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


class PaymentStatus(enum.StrEnum):
    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"


_NEXT: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


def _move(kind: str, ident: int, current: OrderStatus, target: OrderStatus) -> OrderStatus:
    if target not in _NEXT[current]:
        raise InvalidTransition(f"{kind} {ident} cannot go from {current} to {target}",
                                {"status": current.value, "target": target.value})
    return target


@attrs.define
class OrderItem:
    id: int
    product_id: int
    variant_id: int
    sku: str
    product_name: str
    seller_id: int
    quantity: int
    unit_price: Money
    subtotal: Money
    discount: Money
    tax: Money
    status: OrderStatus = OrderStatus.PENDING
    category_id: int | None = None

    @property
    def total(self) -> Money:
        return self.subtotal - self.discount + self.tax

    def move_to(self, target: OrderStatus) -> None:
        self.status = _move("order item", self.id, self.status, target)


@attrs.frozen
class TimelineEntry:
    event: str
    timestamp: datetime
    note: str = ""


@attrs.define
class Order:
    id: int
    number: str
    user_id: int
    currency: str
    items: list[OrderItem]
    subtotal: Money
    discount: Money
    shipping: Money
    tax: Money
    shipping_address: Address
    billing_address: Address
    created_at: datetime
    updated_at: datetime
    status: OrderStatus = OrderStatus.PENDING
    payment_status: PaymentStatus = PaymentStatus.PENDING
    coupon_code: str | None = None
    payment_method: str = "card"
    cancel_reason: str = ""
    timeline: list[TimelineEntry] = attrs.field(factory=list)
    # bumped by every stored write: a writer that holds the order without a lock stores
    # it only if nobody wrote it since (OrderRepository.move)
    version: int = 0

    @property
    def total(self) -> Money:
        return self.subtotal - self.discount + self.shipping + self.tax

    def item(self, item_id: int) -> OrderItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise NotFound(f"order item {item_id} is not in order {self.number}",
                       {"order_item_id": item_id})

    def note(self, event: str, now: datetime, note: str = "") -> None:
        self.timeline.append(TimelineEntry(event, now, note))
        self.updated_at = now

    def confirm(self, now: datetime) -> None:
        self.status = _move("order", self.id, self.status, OrderStatus.CONFIRMED)
        for item in self.items:
            item.move_to(OrderStatus.CONFIRMED)
        self.payment_status = PaymentStatus.COMPLETED
        self.note("ORDER_CONFIRMED", now)

    def cancel(self, now: datetime, reason: str) -> None:
        self.status = _move("order", self.id, self.status, OrderStatus.CANCELLED)
        for item in self.items:
            if item.status is not OrderStatus.CANCELLED:
                item.move_to(OrderStatus.CANCELLED)
        self.cancel_reason = reason
        self.note("ORDER_CANCELLED", now, reason)

    def move_item(self, item_id: int, target: OrderStatus, now: datetime) -> None:
        """Ship or deliver one item; the order follows once every live item has."""
        self.item(item_id).move_to(target)
        live = [i for i in self.items if i.status is not OrderStatus.CANCELLED]
        for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            reached = all(_rank(i.status) >= _rank(status) for i in live)
            if reached and _rank(self.status) < _rank(status):
                self.status = _move("order", self.id, self.status, status)
                self.note(f"ORDER_{status.value}", now)


def _rank(status: OrderStatus) -> int:
    return [OrderStatus.PENDING, OrderStatus.CONFIRMED, OrderStatus.SHIPPED,
            OrderStatus.DELIVERED].index(status) if status is not OrderStatus.CANCELLED else -1
