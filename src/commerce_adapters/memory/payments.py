"""In-memory payments and refunds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from commerce_adapters.memory.state import Journal, MemoryState, fresh
from commerce_core.errors import Conflict, NotFound
from commerce_core.payments.model import Payment, PaymentState, Refund, RefundState


class MemoryPayments:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[int, Payment] = state.table("payments")
        self._keys = state.table("payment_keys")          # idempotency key -> id
        self._txns = state.table("payment_transactions")  # transaction id -> id
        self._refunds: dict[int, Refund] = state.table("refunds")
        self._j = journal

    def add(self, payment: Payment) -> None:
        if payment.id in self._rows or payment.idempotency_key in self._keys:
            raise Conflict(f"payment {payment.id} exists")
        self._j.put(self._keys, payment.idempotency_key, payment.id)
        self._index_txn(payment)
        self._j.put(self._rows, payment.id, payment)

    def _index_txn(self, payment: Payment) -> None:
        if payment.transaction_id:
            owner = self._txns.get(payment.transaction_id)
            if owner is not None and owner != payment.id:
                raise Conflict(f"transaction {payment.transaction_id} belongs to another "
                               "payment", {"transaction_id": payment.transaction_id})
            self._j.put(self._txns, payment.transaction_id, payment.id)

    def get(self, payment_id: int) -> Payment:
        try:
            return fresh(self._rows[payment_id])
        except KeyError:
            raise NotFound(f"payment {payment_id} not found",
                           {"payment_id": payment_id}) from None

    def update(self, payment: Payment) -> None:
        self.get(payment.id)
        self._index_txn(payment)
        self._j.put(self._rows, payment.id, payment)

    def settle(self, payment: Payment, expected: PaymentState) -> bool:
        stored = self._rows.get(payment.id)
        if stored is None or stored.status is not expected:
            return False
        self._index_txn(payment)
        self._j.put(self._rows, payment.id, fresh(payment))
        return True

    def for_order(self, order_id: int) -> Sequence[Payment]:
        found = [p for p in self._rows.values() if p.order_id == order_id]
        return [fresh(p) for p in sorted(found, key=lambda p: (p.created_at, p.id))]

    def by_transaction(self, transaction_id: str) -> Payment:
        if transaction_id not in self._txns:
            raise NotFound(f"no payment for transaction {transaction_id}",
                           {"transaction_id": transaction_id})
        return self.get(self._txns[transaction_id])

    def add_refund(self, refund: Refund) -> None:
        if refund.id in self._refunds:
            raise Conflict(f"refund {refund.id} exists")
        self._j.put(self._refunds, refund.id, refund)

    def update_refund(self, refund: Refund) -> None:
        self.get_refund(refund.id)
        self._j.put(self._refunds, refund.id, refund)

    def get_refund(self, refund_id: int) -> Refund:
        try:
            return fresh(self._refunds[refund_id])
        except KeyError:
            raise NotFound(f"refund {refund_id} not found", {"refund_id": refund_id}) from None

    def refunds(self, payment_id: int) -> Sequence[Refund]:
        found = [r for r in self._refunds.values() if r.payment_id == payment_id]
        return [fresh(r) for r in sorted(found, key=lambda r: (r.created_at, r.id))]

    def refunds_between(self, since: datetime, until: datetime) -> Sequence[Refund]:
        hits = sorted((r for r in self._refunds.values() if since <= r.created_at < until),
                      key=lambda r: (r.created_at, r.id))
        return [fresh(r) for r in hits]

    def pending_refunds(self, created_before: datetime, limit: int) -> Sequence[Refund]:
        found = sorted((r for r in self._refunds.values()
                        if r.status is RefundState.PENDING and r.created_at < created_before),
                       key=lambda r: r.created_at)
        return [fresh(r) for r in found[:limit]]
