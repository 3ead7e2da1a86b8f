"""The admins' review queue for orders fraud screening held."""

from __future__ import annotations

from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.clock import Clock
from commerce_core.errors import NotFound
from commerce_core.events import OrderChanged
from commerce_core.fraud.model import FraudCheck, FraudStatus
from commerce_core.orders.service import OrderService
from commerce_core.pagination import Page, PageRequest
from commerce_core.uow import Transactions
from commerce_core.validation import choice


class FraudService:
    def __init__(self, tx: Transactions, orders: OrderService, clock: Clock) -> None:
        self._tx = tx
        self._orders = orders
        self._clock = clock

    def check(self, actor: Actor, order_id: int) -> FraudCheck:
        authorize(actor, Action.REVIEW_FRAUD)
        with self._tx.read() as uow:
            check = uow.fraud.find(order_id)
        if check is None:
            raise NotFound(f"order {order_id} has no fraud check", {"order_id": order_id})
        return check

    def queue(self, actor: Actor, status: FraudStatus | str = FraudStatus.HELD,
              page: int = 1, limit: int = 20) -> Page[FraudCheck]:
        """Orders waiting for review (or in any other status), riskiest first."""
        authorize(actor, Action.REVIEW_FRAUD)
        with self._tx.read() as uow:
            return uow.fraud.queue(choice(FraudStatus, status, "status"),
                                   PageRequest(page, limit))

    def approve(self, actor: Actor, order_id: int, note: str = "") -> FraudCheck:
        """Release a held order: its sellers may ship it."""
        return self._decide(actor, order_id, True, note)

    def reject(self, actor: Actor, order_id: int, note: str = "") -> FraudCheck:
        """Cancel a held order and refund what was captured (cancelled first: if that fails,
        the order stays held)."""
        if self.check(actor, order_id).status is not FraudStatus.HELD:
            return self._decide(actor, order_id, False, note)  # raises InvalidTransition
        self._orders.cancel(order_id, actor, reason="rejected by fraud review")
        return self._decide(actor, order_id, False, note)

    def _decide(self, actor: Actor, order_id: int, approve: bool, note: str) -> FraudCheck:
        authorize(actor, Action.REVIEW_FRAUD)
        now = self._clock.now()
        with self._tx() as uow:
            check = uow.fraud.find(order_id)
            if check is None:
                raise NotFound(f"order {order_id} has no fraud check", {"order_id": order_id})
            check.decide(approve, actor.user_id, note, now)
            uow.fraud.update(check)
            order = uow.orders.get(order_id)
            order.note("FRAUD_APPROVED" if approve else "FRAUD_REJECTED", now, note)
            uow.orders.update(order)
            uow.record(OrderChanged(occurred_at=now, order_id=order_id))
            return check
