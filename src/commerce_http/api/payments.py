"""Payments: pay for an order placed without a card, look a payment up, refund (admins),
and the gateway's signed webhook."""

from __future__ import annotations

from typing import Any, Literal

import falcon

from commerce_core.accounts.policy import Role
from commerce_core.money import Money
from commerce_core.payments.model import Payment, Refund
from commerce_http.api.orders import (
    OrderDetailOut,
    PaymentState,
    action_fields,
    checkout_detail,
    order_detail_out,
)
from commerce_http.contract.operation import Call, Operation
from commerce_http.contract.wire import (
    Amount,
    AmountIn,
    Body,
    Id,
    Model,
    Text20,
    Text40,
    Text255,
    Text500,
    Timestamp,
    money,
)

MAX_WEBHOOK_BYTES = 64_000  # a gateway's event is a few kilobytes


class PaymentIn(Body):
    """``amount`` (and ``currency``), when the client states what it means to pay, must be
    the order's total: refused otherwise, nothing charged."""

    payment_token: Text255
    payment_method: Text40 = "card"
    amount: AmountIn | None = None
    currency: Text20 | None = None


class RefundIn(Body):
    """``amount`` left out: all that is left of the payment. Never rounded: more decimals
    than the currency has is refused."""

    amount: AmountIn | None = None
    reason: Text500 = ""


class PaymentOut(Model):
    payment_id: Id
    order_id: Id
    status: PaymentState
    amount: Amount
    currency: str
    method: str
    transaction_id: str | None
    refunded_amount: Amount
    failure_reason: str | None
    created_at: Timestamp
    updated_at: Timestamp


class PaymentResultOut(Model):
    """The order paid for and its payment. While ``requires_action`` (3-D Secure),
    ``client_secret`` and ``next_action`` (the gateway's own object) are what the customer's
    browser needs to finish; the webhook then settles the order."""

    order: OrderDetailOut
    payment: PaymentOut | None
    requires_action: bool
    client_secret: str | None = None
    next_action: dict[str, Any] | None = None


class RefundOut(Model):
    refund_id: Id
    seller_id: Id | None
    order_item_ids: list[Id]
    payment_id: Id
    order_id: Id
    amount: Amount
    currency: str
    reason: str
    status: Literal["PENDING", "COMPLETED", "FAILED"]
    transaction_id: str | None
    created_at: Timestamp


class WebhookOut(Model):
    """``applied`` false: a repeat of an event applied before, or one about no payment of
    this shop; either way acknowledged, so the gateway stops resending it."""

    event_id: str
    type: str
    applied: bool
    order_id: Id | None
    status: str | None
    payment_status: str | None


def payment_out(p: Payment) -> PaymentOut:
    return PaymentOut(payment_id=Id(p.id), order_id=Id(p.order_id), status=p.status.value,
                      amount=money(p.amount), currency=p.amount.currency, method=p.method,
                      transaction_id=p.transaction_id, refunded_amount=money(p.refunded),
                      failure_reason=p.failure_reason or None, created_at=p.created_at,
                      updated_at=p.updated_at)


def refund_out(r: Refund) -> RefundOut:
    return RefundOut(refund_id=Id(r.id), seller_id=None if r.seller_id is None
                     else Id(r.seller_id), order_item_ids=[Id(i) for i in r.item_ids],
                     payment_id=Id(r.payment_id), order_id=Id(r.order_id),
                     amount=money(r.amount), currency=r.amount.currency, reason=r.reason,
                     status=r.status.value, transaction_id=r.transaction_id,
                     created_at=r.created_at)


def _process(call: Call[object, PaymentIn]) -> PaymentResultOut:
    """The seed's POST /payments/{order_id}/process: the path's id is the order's."""
    b = call.body
    result = call.shop.checkout.pay(call.who(), call.path["id"], b.payment_token,
                                    b.payment_method, idempotency_key=call.idempotency_key,
                                    amount=b.amount, currency=b.currency)
    return PaymentResultOut(order=order_detail_out(checkout_detail(result)),
                            payment=None if result.payment is None
                            else payment_out(result.payment),
                            **action_fields(result.payment))


def _payment(call: Call[object, None]) -> PaymentOut:
    return payment_out(call.shop.payments.get(call.path["id"], call.who()))


def _refund(call: Call[object, RefundIn]) -> RefundOut:
    """Admins refund any part of a payment; sellers use /seller/orders/{id}/refunds."""
    who, payment_id, amount = call.who(), call.path["id"], call.body.amount
    exact = None
    if amount is not None:  # refused, not rounded, past its currency's decimals
        currency = call.shop.payments.get(payment_id, who).amount.currency
        exact = Money.exact(amount, currency)
    return refund_out(call.shop.payments.refund(who, payment_id, exact, call.body.reason,
                                                idempotency_key=call.idempotency_key))


def _webhook(call: Call[object, None]) -> WebhookOut:
    """Verified (signature and age) by the gateway over the bytes as sent, applied once by
    ``shop.payment_webhooks``."""
    if len(call.raw) > MAX_WEBHOOK_BYTES:
        raise falcon.HTTPContentTooLarge(title="Payload Too Large",
                                         description="webhook body too large")
    outcome = call.shop.payment_webhooks.receive(call.raw, dict(call.headers))
    return WebhookOut(event_id=outcome.event_id, type=outcome.kind, applied=outcome.applied,
                      order_id=None if outcome.order_id is None else Id(outcome.order_id),
                      status=outcome.order_status, payment_status=outcome.payment_status)


API = "/api/v1"
# one field name per path level (Falcon's rule): {id} is the order's for /process
process_payment = Operation(
    "POST", f"{API}/payments/{{id}}/process", "process_payment",
    "Pay for an order placed without a card (id: the order's)", _process, body=PaymentIn,
    response=PaymentResultOut, errors=(402, 404, 409, 503), idempotent=True, tag="payments")
get_payment = Operation(
    "GET", f"{API}/payments/{{id}}", "get_payment", "A payment", _payment,
    response=PaymentOut, errors=(404,), tag="payments")
refund_payment = Operation(
    "POST", f"{API}/payments/{{id}}/refunds", "refund_payment",
    "Refund all or part of a payment (admins)", _refund, body=RefundIn, response=RefundOut,
    status=201, roles=frozenset({Role.ADMIN}), errors=(404, 409, 503), idempotent=True,
    tag="payments")
_WEBHOOK = ("The body is read as sent (the Stripe-Signature header signs its bytes) and "
            "is the gateway's event object.")
receive_stripe_webhook = Operation(
    "POST", f"{API}/webhooks/stripe", "receive_stripe_webhook",
    "The payment gateway's signed event (Stripe-Signature)", _webhook, raw=dict[str, Any],
    response=WebhookOut, auth=False, errors=(401, 413), tag="payments",
    description=_WEBHOOK)
receive_payment_webhook = Operation(
    "POST", f"{API}/payments/webhook", "receive_payment_webhook",
    "The payment gateway's signed event (the first path)", _webhook, raw=dict[str, Any],
    response=WebhookOut, auth=False, errors=(401, 413), tag="payments",
    description=_WEBHOOK)

OPERATIONS = (process_payment, get_payment, refund_payment, receive_stripe_webhook,
              receive_payment_webhook)
