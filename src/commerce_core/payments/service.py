"""Payment look-ups and refunds: full or partial, never more than was captured."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.money import Money
from commerce_core.payments.model import Payment, Refund
from commerce_core.payments.refunds import RefundDesk
from commerce_core.uow import Transactions


class PaymentService:
    def __init__(self, tx: Transactions, refunds: RefundDesk) -> None:
        self._tx = tx
        self._refunds = refunds

    def get(self, payment_id: int, actor: Actor) -> Payment:
        """A payment its payer (or an admin) may see; to anyone else it looks absent."""
        with self._tx.read() as uow:
            payment = uow.payments.get(payment_id)
        authorize(actor, Action.VIEW_PAYMENT, payment.user_id, f"payment {payment_id}")
        return payment

    def for_order(self, order_id: int, actor: Actor) -> Sequence[Payment]:
        with self._tx.read() as uow:
            order = uow.orders.get(order_id)
            authorize(actor, Action.VIEW_PAYMENT, order.user_id, f"order {order_id}")
            return uow.payments.for_order(order_id)

    def refunds(self, payment_id: int, actor: Actor) -> Sequence[Refund]:
        self.get(payment_id, actor)
        with self._tx.read() as uow:
            return uow.payments.refunds(payment_id)

    def refund(self, actor: Actor, payment_id: int, amount: Money | None = None,
               reason: str = "", idempotency_key: str | None = None) -> Refund:
        """Refund ``amount`` (all that is left if None) of a captured payment. Admins only:
        sellers refund their own order items through ``shop.sellers.refund_items``.

        The amount is held against the payment in one transaction before the gateway is
        asked, so concurrent refunds can never add up to more than was captured. A gateway
        refusal gives the amount back and raises PaymentDeclined; an unreachable gateway
        leaves the refund PENDING for :meth:`retry_pending_refunds` and raises Unavailable.
        """
        authorize(actor, Action.REFUND_PAYMENT)
        return self._refunds.issue(payment_id, amount, reason, idempotency_key)

    def retry_pending_refunds(self, older_than: timedelta = timedelta(minutes=1),
                              limit: int = 100) -> int:
        """Send again refunds left PENDING by an unreachable gateway; how many settled."""
        return self._refunds.retry_pending(older_than, limit)
