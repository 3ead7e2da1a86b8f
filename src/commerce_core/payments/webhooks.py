"""The payment gateway's webhooks: each verified event applied once, by its id.

What an event moves:

| event                      | effect                                                          |
|----------------------------|-----------------------------------------------------------------|
| ``PAYMENT_SUCCEEDED``      | the checkout completes (order CONFIRMED), or, compensated        |
|                            | meanwhile, the charge is reversed                                |
| ``PAYMENT_FAILED``         | a checkout still charging is compensated (order CANCELLED)       |
| ``REFUNDED``               | a refund made outside the shop (the gateway's dashboard) is      |
|                            | recorded: payment and order show it, stock is not touched        |
| ``DISPUTE_OPENED/CLOSED``  | the payment is DISPUTED, then back (won) or all refunded (lost) |

Refunds and disputes change the payment and write the event's record in one transaction:
exactly once. A checkout's settlement is several transactions (the saga's), each a
conditional move, so a twin delivered meanwhile is a repeat; the record is written after it.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from commerce_core.checkout.service import CheckoutService
from commerce_core.clock import Clock
from commerce_core.errors import Conflict, NotFound
from commerce_core.events import RefundIssued
from commerce_core.idempotency import IdempotencyRecord, check_key
from commerce_core.ids import IdGenerator
from commerce_core.orders.model import PaymentStatus
from commerce_core.payments.model import PaymentState, Refund, RefundState
from commerce_core.payments.ports import GatewayEvent, GatewayEventKind, PaymentGateway
from commerce_core.uow import Transactions, UnitOfWork

SCOPE = "gateway_event"
_DISPUTABLE = frozenset({PaymentState.COMPLETED, PaymentState.PARTIALLY_REFUNDED})


@attrs.frozen
class WebhookOutcome:
    event_id: str
    kind: str
    applied: bool              # False: a repeat of an event applied before, or not ours
    order_id: int | None = None
    order_status: str | None = None
    payment_status: str | None = None


class WebhookDesk:
    def __init__(self, tx: Transactions, gateway: PaymentGateway, checkout: CheckoutService,
                 ids: IdGenerator, clock: Clock) -> None:
        self._tx = tx
        self._gateway = gateway
        self._checkout = checkout
        self._ids = ids
        self._clock = clock

    def receive(self, body: bytes, headers: Mapping[str, str]) -> WebhookOutcome:
        """Verify a webhook (Unauthenticated: forged, or older than the tolerance) and
        apply it once."""
        return self.apply(self._gateway.verify_event(body, headers))

    def apply(self, event: GatewayEvent) -> WebhookOutcome:
        """Apply a verified event once; a repeat of its id changes nothing."""
        key = check_key(event.id)
        with self._tx.read() as uow:
            if uow.idempotency.get(SCOPE, key) is not None:
                return WebhookOutcome(event.id, event.kind.value, applied=False)
        if event.kind in (GatewayEventKind.PAYMENT_SUCCEEDED, GatewayEventKind.PAYMENT_FAILED):
            return self._settle_checkout(event, key)
        if event.kind is GatewayEventKind.OTHER:
            return WebhookOutcome(event.id, event.kind.value, applied=False)
        return self._change_payment(event, key)

    def _settle_checkout(self, event: GatewayEvent, key: str) -> WebhookOutcome:
        try:
            result = self._checkout.handle_gateway_event(event)
        except Conflict:
            result = None  # compensated before the success came: the charge was reversed
        self._remember(key, None)
        if result is None:
            return WebhookOutcome(event.id, event.kind.value, applied=True)
        payment = result.payment
        return WebhookOutcome(event.id, event.kind.value, True, result.order.id,
                              result.order.status.value,
                              payment.status.value if payment else None)

    def _remember(self, key: str, uow: UnitOfWork | None) -> None:
        record = IdempotencyRecord(SCOPE, key, "", {}, self._clock.now())
        if uow is not None:
            uow.idempotency.add(record)
            return
        try:
            with self._tx() as own:
                own.idempotency.add(record)
        except Conflict:
            pass  # a twin delivered at the same time recorded it: both were one settlement

    def _change_payment(self, event: GatewayEvent, key: str) -> WebhookOutcome:
        try:
            return self._change_payment_once(event, key)
        except Conflict:  # a twin delivered at the same time applied it; this one did not
            return WebhookOutcome(event.id, event.kind.value, applied=False)

    def _change_payment_once(self, event: GatewayEvent, key: str) -> WebhookOutcome:
        now = self._clock.now()
        with self._tx() as uow:
            try:
                payment = uow.payments.by_transaction(event.transaction_id)
            except NotFound:
                self._remember(key, uow)
                return WebhookOutcome(event.id, event.kind.value, applied=False)
            order = uow.orders.get(payment.order_id)
            if event.kind is GatewayEventKind.REFUNDED and event.refunded is not None:
                unknown = payment.record_gateway_refund(event.refunded, now)
                if not unknown.is_zero:
                    refund = Refund(self._ids.next_id(), payment.id, order.id, unknown,
                                    "refunded at the gateway", now, now,
                                    RefundState.COMPLETED, event.transaction_id)
                    uow.payments.add_refund(refund)
                    order.note("REFUND_ISSUED", now, f"{unknown} (at the gateway)")
                    uow.record(RefundIssued(occurred_at=now, order_id=order.id,
                                            payment_id=payment.id, refund_id=refund.id,
                                            user_id=order.user_id, amount=unknown))
            elif event.kind is GatewayEventKind.DISPUTE_OPENED:
                if payment.status in _DISPUTABLE:  # a refunded charge: the bank's business
                    payment.dispute(now)
                order.note("PAYMENT_DISPUTED", now, event.reason)
            elif (event.kind is GatewayEventKind.DISPUTE_CLOSED
                  and payment.status is PaymentState.DISPUTED):
                won = bool(event.dispute_won)
                payment.close_dispute(won, now)
                order.note("DISPUTE_WON" if won else "DISPUTE_LOST", now, event.reason)
            order.payment_status = _order_payment_status(payment.status, order.payment_status)
            uow.payments.update(payment)
            uow.orders.update(order)
            self._remember(key, uow)
        return WebhookOutcome(event.id, event.kind.value, True, order.id,
                              order.status.value, payment.status.value)


def _order_payment_status(state: PaymentState, current: PaymentStatus) -> PaymentStatus:
    return {PaymentState.REFUNDED: PaymentStatus.REFUNDED,
            PaymentState.PARTIALLY_REFUNDED: PaymentStatus.PARTIALLY_REFUNDED,
            PaymentState.COMPLETED: PaymentStatus.COMPLETED}.get(state, current)
