"""Order use cases for customers: look up, history, timeline, cancel."""

from __future__ import annotations

from datetime import datetime

import attrs

from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.checkout.service import CheckoutService
from commerce_core.clock import Clock
from commerce_core.errors import InvalidTransition, ValidationError
from commerce_core.events import OrderCancelled
from commerce_core.fraud.model import FraudStatus
from commerce_core.orders.model import Order, OrderStatus, TimelineEntry
from commerce_core.orders.ports import OrderQuery
from commerce_core.pagination import Page, PageRequest
from commerce_core.payments.model import Payment, PaymentState
from commerce_core.payments.refunds import RefundDesk
from commerce_core.shipping.model import Shipment
from commerce_core.uow import Transactions


@attrs.frozen
class OrderDetail:
    """An order with what its page shows beside it."""

    order: Order
    payment: Payment | None        # the last one
    shipments: tuple[Shipment, ...]
    review: FraudStatus | None     # None: never screened


class OrderService:
    def __init__(self, tx: Transactions, checkout: CheckoutService, refunds: RefundDesk,
                 clock: Clock) -> None:
        self._tx = tx
        self._checkout = checkout
        self._refunds = refunds
        self._clock = clock

    def get(self, order_id: int, actor: Actor) -> Order:
        """An order its buyer (or an admin) may see; to anyone else it looks absent.
        Sellers see their items through ``shop.sellers.orders``."""
        with self._tx.read() as uow:
            order = uow.orders.get(order_id)
        authorize(actor, Action.VIEW_ORDER, order.user_id, f"order {order_id}")
        return order

    def timeline(self, order_id: int, actor: Actor) -> list[TimelineEntry]:
        return list(self.get(order_id, actor).timeline)

    def history(self, actor: Actor, *, status: str | None = None,
                from_date: datetime | None = None, to_date: datetime | None = None,
                page: int = 1, limit: int = 10, user_id: int | None = None) -> Page[Order]:
        """The actor's orders (admins: ``user_id``'s), newest first, filtered by status and
        [from_date, to_date)."""
        user_id = actor.user_id if user_id is None else user_id
        authorize(actor, Action.VIEW_ORDER, user_id, f"orders of user {user_id}")
        try:
            wanted = OrderStatus(status.upper()) if status else None
        except ValueError:
            raise ValidationError(f"unknown status {status!r}",
                                  {"status": f"one of {', '.join(s.value for s in OrderStatus)}"}
                                  ) from None
        if from_date and to_date and from_date >= to_date:
            raise ValidationError("from_date must be before to_date", {"from_date": ">= to_date"})
        request = PageRequest(page, limit)
        with self._tx.read(replica=True) as uow:
            return uow.orders.find(OrderQuery(user_id, None, wanted, from_date, to_date), request)

    def cancel(self, order_id: int, actor: Actor,
               reason: str = "cancelled by customer") -> Order:
        """Cancel before shipping (the buyer or an admin). Unpaid: stock and coupon released.
        Paid: stock back on the shelf (RETURN movements) and the captured amount refunded."""
        order = self.get(order_id, actor)
        authorize(actor, Action.CANCEL_ORDER, order.user_id, f"order {order_id}")
        if order.status is OrderStatus.PENDING:
            return self._checkout.cancel_pending(order_id, reason)
        if order.status is not OrderStatus.CONFIRMED:
            raise InvalidTransition(f"order {order.number} is {order.status} and can no longer "
                                    "be cancelled", {"status": order.status.value})
        payment_id = self._cancel_confirmed(order_id, reason)
        if payment_id is not None:
            self._refunds.issue(payment_id, None, reason, idempotency_key=f"cancel_{order_id}")
        return self.get(order_id, actor)

    def _cancel_confirmed(self, order_id: int, reason: str) -> int | None:
        now = self._clock.now()
        with self._tx() as uow:
            order = uow.orders.get(order_id)
            order.cancel(now, reason)  # raises if it shipped meanwhile
            for item in order.items:
                uow.inventory.return_sold(item.variant_id, item.quantity,
                                          f"order {order.number} cancelled", now, order.id)
            if order.coupon_code:
                uow.coupons.release(order.coupon_code, order.id)
            uow.orders.update(order)
            uow.record(OrderCancelled(occurred_at=now, order_id=order.id,
                                      user_id=order.user_id, reason=reason))
            captured = [p for p in uow.payments.for_order(order_id)
                        if p.status in (PaymentState.COMPLETED, PaymentState.PARTIALLY_REFUNDED)]
        return captured[-1].id if captured else None

    def detail(self, order_id: int, actor: Actor) -> OrderDetail:
        """What an order's page shows, in one read: as :meth:`get`, with its last payment,
        its shipments and its fraud review."""
        with self._tx.read() as uow:
            order = uow.orders.get(order_id)
            authorize(actor, Action.VIEW_ORDER, order.user_id, f"order {order_id}")
            payments = uow.payments.for_order(order_id)
            shipments = uow.shipments.for_order(order_id)
            check = uow.fraud.find(order_id)
        return OrderDetail(order, payments[-1] if payments else None, tuple(shipments),
                           check.status if check else None)
