"""Payments and refunds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository
from commerce_core.errors import Conflict, NotFound
from commerce_core.money import Money
from commerce_core.payments.model import Payment, PaymentState, Refund, RefundState

_SETTLED = ("status", "transaction_id", "failure_reason", "gateway_response", "updated_at")
_owner = t.payments.alias("owner")
# a transaction id another payment holds: refused in the statement itself (a unique-key
# violation would abort a PostgreSQL transaction), named by a query on that path only
_TXN_FREE = ~sa.exists().where(_owner.c.transaction_id == sa.bindparam("txn"),
                               _owner.c.id != sa.bindparam("pid"))
_SETTLE = (t.payments.update()
           .where(t.payments.c.id == sa.bindparam("pid"),
                  t.payments.c.status == sa.bindparam("expected"), _TXN_FREE)
           .values({c: sa.bindparam(c) for c in _SETTLED}))
_UPDATE = (t.payments.update().where(t.payments.c.id == sa.bindparam("pid"), _TXN_FREE)
           .values({c.name: sa.bindparam(c.name) for c in t.payments.c if c.name != "id"}))
_TXN_OWNER = sa.select(t.payments.c.id).where(
    t.payments.c.transaction_id == sa.bindparam("txn"), t.payments.c.id != sa.bindparam("pid"))


def _payment_row(p: Payment) -> dict[str, Any]:
    return {"id": p.id, "order_id": p.order_id, "user_id": p.user_id,
            "amount": p.amount.amount, "currency": p.amount.currency,
            "refunded": p.refunded.amount, "idempotency_key": p.idempotency_key,
            "method": p.method, "status": p.status.value, "transaction_id": p.transaction_id,
            "failure_reason": p.failure_reason, "gateway_response": dict(p.gateway_response),
            "created_at": p.created_at, "updated_at": p.updated_at}


def _payment(r: Any) -> Payment:
    return Payment(r.id, r.order_id, r.user_id, Money(r.amount, r.currency),
                   r.idempotency_key, r.created_at, r.updated_at, r.method,
                   PaymentState(r.status), r.transaction_id, Money(r.refunded, r.currency),
                   r.failure_reason, dict(r.gateway_response))


def _refund_row(r: Refund) -> dict[str, Any]:
    return {"id": r.id, "payment_id": r.payment_id, "order_id": r.order_id,
            "amount": r.amount.amount, "currency": r.amount.currency, "reason": r.reason,
            "status": r.status.value, "transaction_id": r.transaction_id,
            "failure_reason": r.failure_reason, "seller_id": r.seller_id,
            "item_ids": list(r.item_ids), "created_at": r.created_at,
            "updated_at": r.updated_at}


def _refund(r: Any) -> Refund:
    return Refund(r.id, r.payment_id, r.order_id, Money(r.amount, r.currency), r.reason,
                  r.created_at, r.updated_at, RefundState(r.status), r.transaction_id,
                  r.failure_reason, r.seller_id, tuple(r.item_ids))


class SqlPayments(SqlRepository):
    def _refuse_taken_transaction(self, payment: Payment) -> None:
        if payment.transaction_id and self.execute(_TXN_OWNER, {
                "txn": payment.transaction_id, "pid": payment.id}).first() is not None:
            raise Conflict(f"transaction {payment.transaction_id} belongs to another payment",
                           {"transaction_id": payment.transaction_id})

    def add(self, payment: Payment) -> None:
        self._refuse_taken_transaction(payment)  # a read only when it has one
        self.insert(t.payments, [_payment_row(payment)],  # a unique key taken
                    taken=Conflict(f"payment {payment.id} exists"))

    def get(self, payment_id: int) -> Payment:
        row = self.by_key(t.payments, "id", payment_id)
        if row is None:
            raise NotFound(f"payment {payment_id} not found", {"payment_id": payment_id})
        return _payment(row)

    def update(self, payment: Payment) -> None:
        row = _payment_row(payment)
        del row["id"]
        if not self.execute(_UPDATE, {"pid": payment.id, "txn": payment.transaction_id,
                                      **row}).rowcount:
            self._refuse_taken_transaction(payment)
            raise NotFound(f"payment {payment.id} not found", {"payment_id": payment.id})

    def settle(self, payment: Payment, expected: PaymentState) -> bool:
        row = _payment_row(payment)
        if self.execute(_SETTLE, {"pid": payment.id, "expected": expected.value,
                                  "txn": payment.transaction_id,
                                  **{c: row[c] for c in _SETTLED}}).rowcount:
            return True
        self._refuse_taken_transaction(payment)
        return False

    def for_order(self, order_id: int) -> Sequence[Payment]:
        return [_payment(r) for r in self.by_keys(t.payments, "order_id", [order_id],
                                                  ("created_at", "id"))]

    def by_transaction(self, transaction_id: str) -> Payment:
        row = self.one(sa.select(t.payments).where(
            t.payments.c.transaction_id == transaction_id))
        if row is None:
            raise NotFound(f"no payment for transaction {transaction_id}",
                           {"transaction_id": transaction_id})
        return _payment(row)

    def add_refund(self, refund: Refund) -> None:
        if not self.insert_ignore(t.refunds, _refund_row(refund)):
            raise Conflict(f"refund {refund.id} exists")

    def update_refund(self, refund: Refund) -> None:
        done = self.execute(t.refunds.update().where(t.refunds.c.id == refund.id)
                            .values(_refund_row(refund)))
        if not done.rowcount:
            raise NotFound(f"refund {refund.id} not found", {"refund_id": refund.id})

    def get_refund(self, refund_id: int) -> Refund:
        row = self.one(sa.select(t.refunds).where(t.refunds.c.id == refund_id))
        if row is None:
            raise NotFound(f"refund {refund_id} not found", {"refund_id": refund_id})
        return _refund(row)

    def refunds(self, payment_id: int) -> Sequence[Refund]:
        r = t.refunds
        return [_refund(x) for x in self.rows(sa.select(r).where(r.c.payment_id == payment_id)
                                              .order_by(r.c.created_at, r.c.id))]

    def refunds_between(self, since: datetime, until: datetime) -> Sequence[Refund]:
        r = t.refunds
        return [_refund(x) for x in self.rows(sa.select(r).where(
            r.c.created_at >= since, r.c.created_at < until).order_by(r.c.created_at, r.c.id))]

    def pending_refunds(self, created_before: datetime, limit: int) -> Sequence[Refund]:
        r = t.refunds
        return [_refund(x) for x in self.rows(sa.select(r).where(
            r.c.status == RefundState.PENDING.value, r.c.created_at < created_before)
            .order_by(r.c.created_at).limit(limit))]
