"""After a crash or a silence: checkouts left between steps finished or compensated (the
gateway asked what became of each charge), and reservations past their deadline released."""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from commerce_core.checkout.complete import compensate
from commerce_core.checkout.model import CheckoutState
from commerce_core.checkout.pay import settle
from commerce_core.checkout.saga import Saga, held_payment, load, stock_moved
from commerce_core.errors import Conflict, InvalidTransition, NotFound, PaymentDeclined, Unavailable
from commerce_core.events import ReservationExpired
from commerce_core.inventory.model import Reservation, ReservationStatus

log = logging.getLogger(__name__)


def recover(saga: Saga, older_than: timedelta, limit: int) -> int:
    # a gateway whose lookup lags behind its charges (Stripe's search) is asked only about
    # checkouts older than that lag
    lag: timedelta = getattr(saga.gateway, "search_lag", timedelta(0))
    cutoff = saga.clock.now() - max(older_than, lag)
    with saga.tx.read() as uow:
        stuck = list(uow.checkouts.stuck(
            (CheckoutState.RESERVED, CheckoutState.PAYMENT_STARTED), cutoff, limit))
    settled = 0
    for checkout in stuck:
        try:
            settled += _recover_one(saga, checkout.id)
        except Unavailable:
            log.warning("gateway still unreachable for checkout %s", checkout.id)
        except (Conflict, NotFound, InvalidTransition):
            continue  # settled by someone else meanwhile
    return settled


def _recover_one(saga: Saga, checkout_id: int) -> int:
    with saga.tx.read() as uow:
        held = load(uow, uow.checkouts.get(checkout_id))
    if held.checkout.state is CheckoutState.RESERVED:  # died before any charge was sent
        compensate(saga, held, "abandoned", "checkout interrupted before payment", {})
        return 1
    result = saga.gateway.lookup(held_payment(held).idempotency_key)
    if result is None:
        compensate(saga, held, "abandoned", "checkout interrupted; no charge made", {})
        return 1
    with contextlib.suppress(PaymentDeclined):  # compensated; nothing to tell anyone
        settle(saga, held, result)
    return 1


def expire(saga: Saga, limit: int) -> int:
    now = saga.clock.now()
    with saga.tx.read() as uow:
        due = list(uow.inventory.due_reservations(now, limit))
    expired = 0
    for reservation in due:
        try:
            expired += _expire_one(saga, reservation)
        except (Conflict, NotFound, InvalidTransition):
            continue  # finished or expired by someone else meanwhile
    return expired


def _expire_one(saga: Saga, reservation: Reservation) -> int:
    if reservation.order_id is None:
        return _expire_bare(saga, reservation)
    with saga.tx.read() as uow:
        held = load(uow, uow.checkouts.for_order(reservation.order_id))
    if held.checkout.state is CheckoutState.PAYMENT_STARTED:
        return 0  # its charge is in flight: recover() asks the gateway first
    waited_for_action = held.checkout.state is CheckoutState.AWAITING_ACTION
    compensate(saga, held, "reservation_expired", "the reservation expired before payment",
               {}, target=CheckoutState.EXPIRED)
    if waited_for_action:
        key = held_payment(held).idempotency_key
        try:  # the customer never finished 3-D Secure; make sure nothing is captured
            saga.gateway.void(key)
        except Unavailable:
            log.warning("could not void %s; a late success will be voided then", key)
    return 1


def _expire_bare(saga: Saga, reservation: Reservation) -> int:
    now = saga.clock.now()
    with saga.tx() as uow:
        released = uow.inventory.release(reservation, now, ReservationStatus.EXPIRED)
        if released:
            uow.record(ReservationExpired(occurred_at=now, reservation_id=reservation.id,
                                          order_id=None))
            stock_moved(released, {ln.variant_id: ln.quantity for ln in reservation.lines},
                        "expired", uow, now)
    return 1 if released else 0
