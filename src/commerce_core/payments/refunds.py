"""Issuing refunds: held against the payment first, then sent to the gateway, retried
while it is unreachable. Callers authorise; this desk only keeps the money right."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from commerce_core.clock import Clock
from commerce_core.errors import Conflict, NotFound, PaymentDeclined, Unavailable
from commerce_core.events import RefundIssued
from commerce_core.idempotency import IdempotencyRecord, check_key, replay, request_hash
from commerce_core.ids import IdGenerator
from commerce_core.money import Money
from commerce_core.orders.model import PaymentStatus
from commerce_core.payments.model import PaymentState, Refund, RefundState
from commerce_core.payments.ports import PaymentGateway
from commerce_core.uow import Transactions


class RefundDesk:
    def __init__(self, tx: Transactions, gateway: PaymentGateway, ids: IdGenerator,
                 clock: Clock) -> None:
        self._tx = tx
        self._gateway = gateway
        self._ids = ids
        self._clock = clock

    def issue(self, payment_id: int, amount: Money | None = None, reason: str = "",
              idempotency_key: str | None = None, *, seller_id: int | None = None,
              item_ids: Sequence[int] = ()) -> Refund:
        """Refund ``amount`` (all that is left if None) of a captured payment.

        The amount is held against the payment in one transaction before the gateway is
        asked, so concurrent refunds can never add up to more than was captured. A gateway
        refusal gives the amount back and raises PaymentDeclined; an unreachable gateway
        leaves the refund PENDING for :meth:`retry_pending` and raises Unavailable.
        """
        return self.issue_once(payment_id, amount, reason, idempotency_key,
                               seller_id=seller_id, item_ids=item_ids)[0]

    def issue_once(self, payment_id: int, amount: Money | None = None, reason: str = "",
                   idempotency_key: str | None = None, *, seller_id: int | None = None,
                   item_ids: Sequence[int] = ()) -> tuple[Refund, bool]:
        """:meth:`issue`, and whether this call made the refund (False: it replays an
        earlier call with the same key), so callers do their follow-up work (a restock)
        once."""
        now = self._clock.now()
        scope = f"refund:{payment_id}"
        # who refunds what is part of the request: the same key for other items (or by
        # another seller) is a different request, not a replay of the first
        fingerprint = request_hash({"payment_id": payment_id, "reason": reason,
                                    "amount": str(amount.amount) if amount else None,
                                    "seller_id": seller_id, "items": sorted(item_ids)})
        with self._tx() as uow:
            if idempotency_key is not None:
                record = uow.idempotency.get(scope, check_key(idempotency_key))
                if record is not None:
                    refund_id = int(replay(record, fingerprint)["refund_id"])
                    return self._refund_by_id(refund_id, payment_id), False
            payment = uow.payments.get(payment_id)
            if item_ids:  # checked under the same transaction as the hold: no double refunds
                taken = {i for r in uow.payments.refunds(payment_id)
                         if r.status is not RefundState.FAILED for i in r.item_ids}
                again = sorted(taken & set(item_ids))
                if again:
                    raise Conflict("these items were refunded already",
                                   {"order_item_ids": again})
            amount = payment.refundable if amount is None else amount
            payment.hold_refund(amount, now)
            uow.payments.update(payment)
            refund = Refund(self._ids.next_id(), payment_id, payment.order_id, amount, reason,
                            now, now, seller_id=seller_id, item_ids=tuple(item_ids))
            uow.payments.add_refund(refund)
            if idempotency_key is not None:
                uow.idempotency.add(IdempotencyRecord(scope, check_key(idempotency_key),
                                                      fingerprint, {"refund_id": refund.id},
                                                      now))
        return self._send_refund(refund.id), True

    def _refund_by_id(self, refund_id: int, payment_id: int) -> Refund:
        with self._tx.read() as uow:
            refund = uow.payments.get_refund(refund_id)
        if refund.payment_id != payment_id:
            raise NotFound(f"refund {refund_id} not found", {"refund_id": refund_id})
        return refund

    def _send_refund(self, refund_id: int) -> Refund:
        with self._tx.read() as uow:
            refund = uow.payments.get_refund(refund_id)
            payment = uow.payments.get(refund.payment_id)
        if payment.transaction_id is None:
            raise NotFound(f"payment {payment.id} has no gateway transaction")
        try:
            result = self._gateway.refund(payment.transaction_id, refund.amount,
                                          f"refund_{refund.id}")
        except PaymentDeclined as ex:
            self._settle_refund(refund.id, None, ex.message)
            raise
        except Unavailable:
            raise Unavailable("the payment gateway is unavailable; the refund stays pending "
                              "and will be retried", {"refund_id": refund.id}) from None
        return self._settle_refund(refund.id, result.transaction_id, "")

    def _settle_refund(self, refund_id: int, transaction_id: str | None,
                       failure: str) -> Refund:
        now = self._clock.now()
        with self._tx() as uow:
            refund = uow.payments.get_refund(refund_id)
            if refund.status is not RefundState.PENDING:
                return refund
            payment = uow.payments.get(refund.payment_id)
            order = uow.orders.get(payment.order_id)
            if transaction_id is None:
                refund.status, refund.failure_reason = RefundState.FAILED, failure
                payment.undo_refund(refund.amount, now)
            else:
                refund.status, refund.transaction_id = RefundState.COMPLETED, transaction_id
                order.payment_status = (PaymentStatus.REFUNDED
                                        if payment.status is PaymentState.REFUNDED
                                        else PaymentStatus.PARTIALLY_REFUNDED)
                order.note("REFUND_ISSUED", now, f"{refund.amount}")
                uow.orders.update(order)
                uow.record(RefundIssued(occurred_at=now, order_id=order.id,
                                        payment_id=payment.id, refund_id=refund.id,
                                        user_id=order.user_id, amount=refund.amount))
            refund.updated_at = now
            uow.payments.update_refund(refund)
            uow.payments.update(payment)
            return refund

    def retry_pending(self, older_than: timedelta = timedelta(minutes=1),
                              limit: int = 100) -> int:
        """Send again refunds left PENDING by an unreachable gateway; how many settled."""
        cutoff = self._clock.now() - older_than
        with self._tx.read() as uow:
            pending = uow.payments.pending_refunds(cutoff, limit)
        settled = 0
        for refund in pending:
            try:
                self._send_refund(refund.id)
                settled += 1
            except (PaymentDeclined, Unavailable):
                continue
        return settled
