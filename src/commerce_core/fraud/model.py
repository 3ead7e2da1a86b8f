"""Fraud rules, the facts they judge and the check recorded for each order."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from decimal import Decimal

import attrs

from commerce_core.errors import InvalidTransition
from commerce_core.money import Money


class FraudStatus(enum.StrEnum):
    CLEAR = "CLEAR"        # scored below the hold threshold: ships normally
    HELD = "HELD"          # waits for an admin; cannot ship
    APPROVED = "APPROVED"  # an admin released it
    REJECTED = "REJECTED"  # an admin cancelled and refunded it


class Signal(enum.StrEnum):
    VELOCITY = "order_velocity"
    HIGH_AMOUNT = "amount_over_threshold"
    NEW_ACCOUNT_HIGH_VALUE = "new_account_high_value"
    COUNTRY_MISMATCH = "billing_shipping_country_mismatch"
    PAYMENT_FAILURES = "repeated_payment_failures"


@attrs.frozen
class OrderFacts:
    total: Money
    orders_in_window: int            # the user's orders placed within the velocity window
    account_age: timedelta | None    # None: no account known here
    shipping_country: str
    billing_country: str
    payment_failures: int            # the user's failed payments within the failure window


@attrs.frozen
class FraudRules:
    """Thresholds and weights; a score of ``hold_at`` or more holds the order."""

    velocity_window: timedelta = timedelta(hours=1)
    velocity_limit: int = 3
    high_amount: Decimal = Decimal("1000")
    new_account_age: timedelta = timedelta(days=7)
    new_account_amount: Decimal = Decimal("300")
    failure_window: timedelta = timedelta(hours=24)
    failure_limit: int = 3
    weights: dict[Signal, int] = attrs.field(factory=lambda: {
        Signal.VELOCITY: 30, Signal.HIGH_AMOUNT: 40, Signal.NEW_ACCOUNT_HIGH_VALUE: 30,
        Signal.COUNTRY_MISMATCH: 20, Signal.PAYMENT_FAILURES: 30})
    hold_at: int = 60

    def signals(self, facts: OrderFacts) -> list[Signal]:
        amount = facts.total.amount
        found = []
        if facts.orders_in_window > self.velocity_limit:
            found.append(Signal.VELOCITY)
        if amount > self.high_amount:
            found.append(Signal.HIGH_AMOUNT)
        if (facts.account_age is not None and facts.account_age < self.new_account_age
                and amount > self.new_account_amount):
            found.append(Signal.NEW_ACCOUNT_HIGH_VALUE)
        if facts.shipping_country != facts.billing_country:
            found.append(Signal.COUNTRY_MISMATCH)
        if facts.payment_failures >= self.failure_limit:
            found.append(Signal.PAYMENT_FAILURES)
        return found

    def score(self, signals: list[Signal]) -> int:
        return min(100, sum(self.weights.get(s, 0) for s in signals))


@attrs.define
class FraudCheck:
    order_id: int
    user_id: int
    score: int
    signals: list[str]
    status: FraudStatus
    total: Money
    created_at: datetime
    updated_at: datetime
    reviewed_by: int | None = None
    note: str = ""

    def decide(self, approve: bool, admin_id: int, note: str, now: datetime) -> None:
        if self.status is not FraudStatus.HELD:
            raise InvalidTransition(f"order {self.order_id} is {self.status}, not held",
                                    {"status": self.status.value})
        self.status = FraudStatus.APPROVED if approve else FraudStatus.REJECTED
        self.reviewed_by, self.note, self.updated_at = admin_id, note.strip(), now

    @property
    def blocks_shipping(self) -> bool:
        return self.status in (FraudStatus.HELD, FraudStatus.REJECTED)
