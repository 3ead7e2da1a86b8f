"""What every step of the checkout saga shares: its dependencies, what a request holds
between steps, and the helpers the steps use."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

import attrs

from commerce_core.cart.model import Cart
from commerce_core.cart.ports import CartStore
from commerce_core.checkout.model import Checkout, CheckoutState
from commerce_core.clock import Clock
from commerce_core.errors import (
    CommerceError,
    Conflict,
    InProgress,
    InsufficientStock,
    NotFound,
    PaymentDeclined,
)
from commerce_core.fraud.model import FraudStatus
from commerce_core.fraud.screen import FraudScreen
from commerce_core.idempotency import replay
from commerce_core.ids import IdGenerator
from commerce_core.inventory.model import Reservation, StockItem
from commerce_core.inventory.service import stock_events
from commerce_core.orders.model import Order
from commerce_core.payments.model import Payment, PaymentState
from commerce_core.payments.ports import PaymentGateway
from commerce_core.settings.service import SettingsService
from commerce_core.uow import Transactions, UnitOfWork


@attrs.frozen
class Saga:
    """The checkout's dependencies, handed to each step."""

    tx: Transactions
    carts: CartStore
    gateway: PaymentGateway
    ids: IdGenerator
    clock: Clock
    settings: SettingsService  # tax, shipping and fraud rules, read in the placing tx
    ttl: timedelta
    fraud: FraudScreen


@attrs.define
class Held:
    """A checkout as this process last wrote or read it: the later steps store their
    changes conditionally on it (``CheckoutRepository.move``, ``OrderRepository.move``,
    ``PaymentRepository.settle``) instead of reading every record again."""

    checkout: Checkout
    order: Order
    reservation: Reservation
    payment: Payment | None = None
    cart: Cart | None = None  # as step 1 read it: its version guards emptying it
    review: FraudStatus | None = None  # as step 1 screened it

    def result(self) -> CheckoutResult:
        return CheckoutResult(self.order, self.payment, self.review)


@attrs.frozen
class CheckoutResult:
    order: Order
    payment: Payment | None
    review: FraudStatus | None = None  # the fraud screen's verdict, when known

    @property
    def requires_action(self) -> bool:
        return self.payment is not None and self.payment.status is PaymentState.REQUIRES_ACTION


Idem = tuple[str, str | None, str]  # scope, key (None: no key), request fingerprint
# seconds a twin of a running checkout is told to wait: about one charge with its retries
IN_PROGRESS_RETRY = 2.0


def load(uow: UnitOfWork, checkout: Checkout) -> Held:
    """Everything a step needs about ``checkout``, for the paths that hold nothing
    (a webhook, recovery, expiry, a cancel)."""
    payment = (None if checkout.payment_id is None
               else uow.payments.get(checkout.payment_id))
    return Held(checkout, uow.orders.get(checkout.order_id),
                uow.inventory.get_reservation(checkout.reservation_id), payment)


def held_payment(held: Held) -> Payment:
    if held.payment is None:
        raise NotFound(f"checkout {held.checkout.id} has no payment")
    return held.payment


def store_order(uow: UnitOfWork, order: Order, change: Callable[[Order], None]) -> Order:
    """Apply ``change`` to the order as held and store it if nobody wrote it since (one
    statement); else apply it to the stored order, read under lock, and store that."""
    change(order)
    if uow.orders.move(order):
        return order
    current = uow.orders.get(order.id)
    change(current)
    uow.orders.update(current)
    return current


def store_payment(uow: UnitOfWork, payment: Payment, change: Callable[[], None]) -> None:
    """Apply ``change`` to the payment as held and store it only from the status it had;
    Conflict if the stored payment was settled meanwhile."""
    expected = payment.status
    change()
    if not uow.payments.settle(payment, expected):
        raise Conflict(f"payment {payment.id} was settled meanwhile")


def stock_moved(items: Sequence[StockItem], deltas: Mapping[int, int], reason: str,
                uow: UnitOfWork, now: datetime) -> None:
    """Record stock events; ``deltas`` is how much each variant's available went up."""
    for item in items:
        uow.record(*stock_events(item, item.available - deltas.get(item.variant_id, 0),
                                 reason, now))


def read_result(tx: Transactions, order_id: int) -> CheckoutResult:
    with tx.read() as uow:
        order = uow.orders.get(order_id)
        payments = uow.payments.for_order(order_id)
        check = uow.fraud.find(order_id)
    return CheckoutResult(order, payments[-1] if payments else None,
                          check.status if check else None)


def idempotent(tx: Transactions, idem: Idem, start: Callable[[], Held],
               finish: Callable[[Held], CheckoutResult]) -> CheckoutResult:
    """``start`` then ``finish``, once per key, with nothing read first: ``start``'s
    transaction writes the key's record, so a repeated or concurrent request with the key
    fails in it (the record's unique key, a cart already emptied, an order no longer
    payable) and gets the first request's outcome instead (Conflict if the key came with
    another request). What ``finish`` raises is this request's own outcome."""
    scope, key, fingerprint = idem
    try:
        held = start()
    except CommerceError:
        earlier = None if key is None else _replayed(tx, scope, key, fingerprint)
        if earlier is not None:
            return earlier
        raise
    return finish(held)


def _replayed(tx: Transactions, scope: str, key: str, fingerprint: str
              ) -> CheckoutResult | None:
    with tx.read() as uow:
        record = uow.idempotency.get(scope, key)
        if record is None:
            return None
        order_id = int(replay(record, fingerprint)["order_id"])
        checkout = uow.checkouts.for_order(order_id)
    if checkout.state is CheckoutState.FAILED and checkout.failure_code == "payment_declined":
        raise PaymentDeclined(f"payment declined: {checkout.failure_message}",
                              {"order_id": order_id, "reason": checkout.failure_message})
    if checkout.state in (CheckoutState.RESERVED, CheckoutState.PAYMENT_STARTED):
        # the first request is still charging (or died doing so: recover() settles it)
        raise InProgress("a request with this Idempotency-Key is still in progress; ask "
                         "again shortly for its outcome", IN_PROGRESS_RETRY,
                         {"order_id": order_id})
    return read_result(tx, order_id)


def named(ex: InsufficientStock, cart: Cart) -> CommerceError:
    """Add SKUs and product names from the cart to the inventory's short lines."""
    by_variant = {line.variant_id: line for line in cart.lines}
    lines = []
    for short in ex.lines:
        line = by_variant.get(short["variant_id"])
        lines.append({**short, "sku": line.sku if line else None,
                      "product_name": line.product_name if line else None})
    return InsufficientStock(lines)
