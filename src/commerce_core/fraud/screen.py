"""Scoring every placed order against the fraud rules, inside the checkout's transaction."""

from __future__ import annotations

from commerce_core.events import OrderHeld
from commerce_core.fraud.model import FraudCheck, FraudRules, FraudStatus, OrderFacts
from commerce_core.orders.model import Order
from commerce_core.uow import UnitOfWork


class FraudScreen:
    """Scores an order inside the checkout's own transaction, so no order escapes it.
    Called before the order is stored: the order's own row does not count yet."""

    def __init__(self, rules: FraudRules | None = None) -> None:
        self.rules = rules or FraudRules()

    def screen(self, uow: UnitOfWork, order: Order, rules: FraudRules | None = None
               ) -> FraudCheck:
        """``rules``: the shop's stored ones (the checkout's); this screen's own if None."""
        now = order.created_at
        rules = rules or self.rules
        seen = uow.fraud.history(order.user_id, now - rules.velocity_window,
                                 now - rules.failure_window)
        age = None if seen.account_created_at is None else now - seen.account_created_at
        facts = OrderFacts(order.total, 1 + seen.orders_since, age,
                           order.shipping_address.country, order.billing_address.country,
                           seen.failures_since)
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
