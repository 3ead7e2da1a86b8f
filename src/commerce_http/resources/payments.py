"""Payments: pay for an order placed without a card, look a payment up, refund (admins),
and the gateway's webhook."""

from __future__ import annotations

import falcon

from commerce_core.facade import Commerce
from commerce_core.money import Money
from commerce_http import params
from commerce_http.media import ok
from commerce_http.middleware import actor
from commerce_http.render.orders import action_body, placed_body

MAX_WEBHOOK_BYTES = 64_000


class ProcessPayment:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response, id: int) -> None:
        """The seed's POST /payments/{order_id}/process."""
        order_id = id
        data = params.body(req)
        result = self._shop.checkout.pay(
            actor(req), order_id, params.text(data, "payment_token", limit=255),
            params.text(data, "payment_method", "card", limit=50),
            idempotency_key=req.get_header("Idempotency-Key"),
            amount=params.decimal(data, "amount"),
            currency=params.optional_text(data, "currency", 3))
        payment = result.payment.as_dict() if result.payment else None
        ok(resp, {"order": placed_body(result), "payment": payment,
                  **action_body(result)})



class Payment:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response, id: int) -> None:
        payment_id = id
        ok(resp, self._shop.payments.get(payment_id, actor(req)).as_dict())


class Refund:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response, id: int) -> None:
        """Admins refund any part of a payment; sellers use /seller/orders/{id}/refunds."""
        payment_id = id
        data = params.body(req)
        who = actor(req)
        amount = params.decimal(data, "amount")
        currency = None
        if amount is not None:
            currency = self._shop.payments.get(payment_id, who).amount.currency
        refund = self._shop.payments.refund(
            who, payment_id, None if amount is None or currency is None
            else Money.exact(amount, currency),  # refused, not rounded, past its decimals
            params.text(data, "reason", "", limit=500),
            idempotency_key=req.get_header("Idempotency-Key"))
        ok(resp, refund.as_dict(), falcon.HTTP_201)


class Webhook:
    """The payment gateway's signed events (POST /webhooks/stripe): verified (signature
    and age) by the gateway, applied once by ``shop.payment_webhooks``. A repeat answers 200 with
    ``applied: false`` (so the gateway stops resending) and changes nothing."""

    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        raw = req.bounded_stream.read(MAX_WEBHOOK_BYTES + 1)
        if len(raw) > MAX_WEBHOOK_BYTES:
            raise falcon.HTTPContentTooLarge(title="Payload Too Large",
                                             description="webhook body too large")
        outcome = self._shop.payment_webhooks.receive(raw, dict(req.headers))
        ok(resp, {"event_id": outcome.event_id, "type": outcome.kind,
                  "applied": outcome.applied, "order_id": outcome.order_id,
                  "status": outcome.order_status, "payment_status": outcome.payment_status})
