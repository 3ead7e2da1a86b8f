"""Steps 2 and 3: the payment started (in step 1's transaction when the card is known, in
one of its own for an order paid later), then the charge, outside any transaction, retried
and behind a circuit breaker; its outcome decides the next step."""

from __future__ import annotations

import logging

from commerce_core.checkout.complete import compensate, complete
from commerce_core.checkout.model import CheckoutState
from commerce_core.checkout.place import new_payment, remember
from commerce_core.checkout.saga import (
    CheckoutResult,
    Held,
    Idem,
    Saga,
    held_payment,
    store_payment,
)
from commerce_core.errors import Conflict, PaymentDeclined, Unavailable
from commerce_core.events import PaymentRequiresAction
from commerce_core.payments.ports import ChargeRequest, ChargeResult, ChargeStatus

log = logging.getLogger(__name__)


def start_payment(saga: Saga, held: Held, method: str, idem: Idem) -> Held:
    """A PROCESSING payment for an order placed without one; Conflict if another request
    started one meanwhile."""
    now = saga.clock.now()
    checkout = held.checkout
    with saga.tx() as uow:
        left = checkout.state
        payment = new_payment(saga, uow, checkout, held.order, method, now)
        if not uow.checkouts.move(checkout, left):
            raise Conflict("a payment for this order was started meanwhile",
                           {"order_id": checkout.order_id})
        remember(uow, idem, held.order.id, now)
    held.payment = payment
    return held


def charge(saga: Saga, held: Held, token: str) -> CheckoutResult:
    payment = held_payment(held)
    # the ids in the metadata let recover() and a webhook find the charge's checkout
    request = ChargeRequest(payment.amount, token, payment.idempotency_key,
                            f"order {held.order.number}",
                            {"order_id": str(payment.order_id),
                             "checkout_id": str(held.checkout.id),
                             "payment_id": str(payment.id)})
    try:
        result = saga.gateway.charge(request)
    except Unavailable as ex:
        return _gateway_unavailable(saga, held, ex)
    return settle(saga, held, result)


def settle(saga: Saga, held: Held, result: ChargeResult) -> CheckoutResult:
    """Step 4 for the gateway's answer: complete, wait for the customer, or compensate
    (PaymentDeclined raised once the order is cancelled)."""
    if result.status is ChargeStatus.SUCCEEDED:
        return complete(saga, held, result)
    if result.status is ChargeStatus.REQUIRES_ACTION:
        return _await_action(saga, held, result)
    reason = result.decline_reason or "card declined"
    order = compensate(saga, held, "payment_declined", reason, dict(result.raw))
    raise PaymentDeclined(f"payment declined: {reason}",
                          {"order_id": order.id, "order_number": order.number,
                           "reason": result.decline_reason})


def _gateway_unavailable(saga: Saga, held: Held, ex: Unavailable) -> CheckoutResult:
    """The charge's fate is unknown: void it if we can, then compensate; else leave it
    PAYMENT_STARTED for recover() to settle with the gateway later."""
    payment = held_payment(held)
    try:
        saga.gateway.void(payment.idempotency_key)
    except Unavailable:
        raise Unavailable("the payment gateway is unavailable; the order will be settled "
                          "automatically once it answers",
                          {"order_id": payment.order_id}) from ex
    order = compensate(saga, held, "gateway_unavailable", ex.message, {})
    raise Unavailable("the payment gateway is unavailable; the order was cancelled and "
                      "nothing was charged",
                      {"order_id": order.id, "order_number": order.number}) from ex


def _await_action(saga: Saga, held: Held, result: ChargeResult) -> CheckoutResult:
    now = saga.clock.now()
    checkout, payment = held.checkout, held_payment(held)
    with saga.tx() as uow:
        left = checkout.move(CheckoutState.AWAITING_ACTION, now)
        if not uow.checkouts.move(checkout, left):
            raise Conflict("the checkout was settled meanwhile",
                           {"order_id": checkout.order_id})
        response = {**result.raw, "client_secret": result.client_secret,
                    "next_action": dict(result.next_action or {}) or None}
        store_payment(uow, payment, lambda: payment.require_action(
            result.transaction_id, response, now))
        uow.record(PaymentRequiresAction(occurred_at=now, order_id=checkout.order_id,
                                         payment_id=payment.id, user_id=checkout.user_id))
    return held.result()
