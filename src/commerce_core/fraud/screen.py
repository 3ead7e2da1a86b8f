"""Scoring every placed order against the fraud rules, inside the checkout's transaction."""

from __future__ import annotations

from datetime import timedelta

from commerce_core.errors import NotFound
from commerce_core.events import OrderHeld
from commerce_core.fraud.model import FraudCheck, FraudRules, FraudStatus, OrderFacts
from commerce_core.orders.model import Order
from commerce_core.orders.ports import OrderQuery
from commerce_core.uow import UnitOfWork


class FraudScreen:
    """Scores an order inside the checkout's own transaction, so no order escapes it.
    Called before the order is stored: the order's own row does not count yet."""

    def __init__(self, rules: FraudRules | None = None) -> None:
        self.rules = rules or FraudRules()

    def screen(self, uow: UnitOfWork, order: Order) -> FraudCheck:
        now = order.created_at
        rules = self.rules
        recent = 1 + uow.orders.count(OrderQuery(user_id=order.user_id,
                                                 from_date=now - rules.velocity_window))
        try:
            age: timedelta | None = now - uow.users.get(order.user_id).created_at
        except NotFound:
            age = None
        facts = OrderFacts(order.total, recent, age, order.shipping_address.country,
                           order.billing_address.country,
                           uow.payments.failures_since(order.user_id,
                                                       now - rules.failure_window))
        signals = rules.signals(facts)
        score = rules.score(signals)
        status = FraudStatus.HELD if score >= rules.hold_at else FraudStatus.CLEAR
        check = FraudCheck(order.id, order.user_id, score, [s.value for s in signals], status,
                           order.total, now, now)
        uow.fraud.add(check)
        if status is FraudStatus.HELD:
            uow.record(OrderHeld(occurred_at=now, order_id=order.id, user_id=order.user_id,
                                 score=score, signals=list(check.signals)))
        return check
