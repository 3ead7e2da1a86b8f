"""Step 4, in one transaction: complete (payment COMPLETED, order CONFIRMED, reserved stock
sold, the bought lines out of the cart) or compensate (payment FAILED, stock released,
coupon given back, order CANCELLED).

Both store their changes on what the request holds, each conditional on the record not
having moved since (the checkout's state first: of two processes settling one checkout, the
second writes nothing), and only the columns a step changes.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, NoReturn

from commerce_core.cart.model import Cart
from commerce_core.cart.ports import CartStore
from commerce_core.checkout.model import CHARGING, CheckoutState
from commerce_core.checkout.saga import (
    CheckoutResult,
    Held,
    Saga,
    held_payment,
    read_result,
    stock_moved,
    store_order,
    store_payment,
)
from commerce_core.errors import Conflict
from commerce_core.events import (
    DomainEvent,
    OrderCancelled,
    OrderConfirmed,
    PaymentConfirmed,
    PaymentFailed,
)
from commerce_core.inventory.model import ReservationStatus
from commerce_core.orders.model import Order, OrderStatus, PaymentStatus
from commerce_core.payments.model import Payment, PaymentState
from commerce_core.payments.ports import ChargeResult
from commerce_core.uow import UnitOfWork

log = logging.getLogger(__name__)
_OPEN_PAYMENT = (PaymentState.PROCESSING, PaymentState.REQUIRES_ACTION)


def complete(saga: Saga, held: Held, result: ChargeResult) -> CheckoutResult:
    checkout, payment = held.checkout, held_payment(held)
    now = saga.clock.now()
    txn = result.transaction_id or ""
    if checkout.state not in CHARGING:
        return _repeat_or_void(saga, held, txn)
    outside = None
    with saga.tx() as uow:
        inside = saga.carts.joined(uow)
        if inside is None:
            outside = saga.carts
        left = checkout.move(CheckoutState.COMPLETED, now)
        if uow.checkouts.move(checkout, left):
            store_payment(uow, payment, lambda: payment.succeed(txn, dict(result.raw), now))

            def confirm(order: Order) -> None:
                order.note("PAYMENT_CONFIRMED", now, txn)
                order.confirm(now)
            held.order = order = store_order(uow, held.order, confirm)
            sold = uow.inventory.commit(held.reservation, now)
            if inside is not None:
                _remove_bought(inside, order, held.cart)
            uow.record(
                PaymentConfirmed(occurred_at=now, order_id=order.id, payment_id=payment.id,
                                 user_id=order.user_id, amount=payment.amount,
                                 transaction_id=txn),
                OrderConfirmed(occurred_at=now, order_id=order.id, user_id=order.user_id))
            stock_moved(sold, {}, "sold", uow, now)
            late = False
        else:
            late = True  # compensated meanwhile (expiry, recovery): give the money back
    if late:
        return _repeat_or_void(saga, held, txn)
    if outside is not None:  # a cart store apart: after the commit (a crash between leaves
        # the bought lines in the cart, never takes them from an order that was cancelled)
        _remove_bought(outside, held.order, held.cart)
    return held.result()


def _remove_bought(carts: CartStore, order: Order, cart: Cart | None) -> None:
    """Take the order's variants out of the cart (the whole cart when nothing else is in
    it); ``cart`` as step 1 read it, read again once if it changed since."""
    for _ in range(2):
        cart = cart or carts.get(order.user_id)
        if cart is None:
            return
        cart.remove_variants({i.variant_id for i in order.items}, order.updated_at)
        try:
            if cart.lines:
                carts.save(cart)
            else:
                carts.discard(cart)
            return
        except Conflict:
            cart = None  # changed meanwhile (another tab): apply to the current cart
    log.info("cart of user %s keeps changing; bought lines left in it", order.user_id)


def _repeat_or_void(saga: Saga, held: Held, txn: str) -> CheckoutResult:
    """The checkout left CHARGING before this success was stored. Completed with this very
    charge (a webhook racing the synchronous answer, a success delivered twice): a repeat,
    answered with the outcome. Otherwise it was compensated: the charge is given back."""
    with saga.tx.read() as uow:
        checkout = uow.checkouts.get(held.checkout.id)
        payment = (uow.payments.get(checkout.payment_id)
                   if checkout.payment_id is not None else None)
    if (checkout.state is CheckoutState.COMPLETED and payment is not None
            and payment.transaction_id == txn):
        return read_result(saga.tx, checkout.order_id)
    _void_late_charge(saga, held)


def _void_late_charge(saga: Saga, held: Held) -> NoReturn:
    checkout = held.checkout
    log.warning("charge for checkout %s arrived after it ended; voiding", checkout.id)
    saga.gateway.void(held_payment(held).idempotency_key)
    raise Conflict("the order was cancelled before the payment went through; "
                   "the charge has been reversed", {"order_id": checkout.order_id})


def compensate(saga: Saga, held: Held, code: str, message: str, response: dict[str, Any],
               target: CheckoutState = CheckoutState.FAILED) -> Order:
    """Undo step 1; Conflict if the checkout was settled meanwhile (nothing written)."""
    now = saga.clock.now()
    checkout = held.checkout
    with saga.tx() as uow:
        left = checkout.fail(code, message, now, target)
        if not uow.checkouts.move(checkout, left):
            raise Conflict("the checkout was settled meanwhile",
                           {"order_id": checkout.order_id})
        status = (ReservationStatus.EXPIRED if target is CheckoutState.EXPIRED
                  else ReservationStatus.RELEASED)
        released = uow.inventory.release(held.reservation, now, status)
        if checkout.coupon_code:
            uow.coupons.release(checkout.coupon_code, checkout.order_id)
        events: list[DomainEvent] = []
        failed = _fail_payment(uow, held.payment, message, response, now)

        def cancel(order: Order) -> None:
            events.clear()
            if failed is not None:
                order.payment_status = PaymentStatus.FAILED
                order.note("PAYMENT_FAILED", now, message)
                events.append(PaymentFailed(occurred_at=now, order_id=order.id,
                                            payment_id=failed.id, user_id=order.user_id,
                                            reason=message))
            if order.status is OrderStatus.PENDING:
                order.cancel(now, message)
                events.append(OrderCancelled(occurred_at=now, order_id=order.id,
                                             user_id=order.user_id, reason=message))
        held.order = order = store_order(uow, held.order, cancel)
        uow.record(*events)
        stock_moved(released, {line.variant_id: line.quantity
                               for line in held.reservation.lines}, "released", uow, now)
    return order


def _fail_payment(uow: UnitOfWork, payment: Payment | None, message: str,
                  response: dict[str, Any], now: datetime) -> Payment | None:
    """The payment FAILED if it was still open; the payment, or None if nothing changed."""
    if payment is None or payment.status not in _OPEN_PAYMENT:
        return None
    store_payment(uow, payment, lambda: payment.fail(message, response, now))
    return payment
