"""Payment and refund records. A card number never gets here: only gateway tokens."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from commerce_core.errors import InvalidTransition, ValidationError
from commerce_core.money import Money


class PaymentState(enum.StrEnum):
    PROCESSING = "PROCESSING"
    REQUIRES_ACTION = "REQUIRES_ACTION"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"
    DISPUTED = "DISPUTED"  # the cardholder's bank disputes the charge: nothing refundable


_CAPTURED = frozenset({PaymentState.COMPLETED, PaymentState.PARTIALLY_REFUNDED})


class RefundState(enum.StrEnum):
    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


@attrs.define
class Payment:
    id: int
    order_id: int
    user_id: int
    amount: Money
    idempotency_key: str
    created_at: datetime
    updated_at: datetime
    method: str = "card"
    status: PaymentState = PaymentState.PROCESSING
    transaction_id: str | None = None
    refunded: Money = attrs.field()
    failure_reason: str = ""
    gateway_response: dict[str, Any] = attrs.field(factory=dict)

    @refunded.default
    def _no_refunds_yet(self) -> Money:
        return Money.zero(self.amount.currency)

    @property
    def action(self) -> dict[str, Any] | None:
        """While REQUIRES_ACTION: the client secret and next action the customer's browser
        needs to finish (3-D Secure); None otherwise."""
        if self.status is not PaymentState.REQUIRES_ACTION:
            return None
        return {"client_secret": self.gateway_response.get("client_secret"),
                "next_action": self.gateway_response.get("next_action")}

    @property
    def refundable(self) -> Money:
        if self.status not in _CAPTURED:
            return Money.zero(self.amount.currency)
        return self.amount - self.refunded

    def _require(self, *states: PaymentState) -> None:
        if self.status not in states:
            raise InvalidTransition(f"payment {self.id} is {self.status}",
                                    {"status": self.status.value})

    def succeed(self, transaction_id: str, response: dict[str, Any], now: datetime) -> None:
        self._require(PaymentState.PROCESSING, PaymentState.REQUIRES_ACTION)
        self.status = PaymentState.COMPLETED
        self.transaction_id = transaction_id
        self.gateway_response = response
        self.updated_at = now

    def require_action(self, transaction_id: str | None, response: dict[str, Any],
                       now: datetime) -> None:
        self._require(PaymentState.PROCESSING)
        self.status = PaymentState.REQUIRES_ACTION
        self.transaction_id = transaction_id
        self.gateway_response = response
        self.updated_at = now

    def fail(self, reason: str, response: dict[str, Any], now: datetime) -> None:
        self._require(PaymentState.PROCESSING, PaymentState.REQUIRES_ACTION)
        self.status = PaymentState.FAILED
        self.failure_reason = reason
        self.gateway_response = response
        self.updated_at = now

    def hold_refund(self, amount: Money, now: datetime) -> None:
        """Count a refund against the captured amount before asking the gateway for it."""
        if amount.is_negative or amount.is_zero:
            raise ValidationError("refund amount must be positive", {"amount": "must be > 0"})
        if amount > self.refundable:
            raise ValidationError(
                f"refund of {amount} exceeds the refundable {self.refundable}",
                {"amount": f"at most {self.refundable.amount}"})
        self.refunded = self.refunded + amount
        self._settle_refund_state(now)

    def undo_refund(self, amount: Money, now: datetime) -> None:
        """The gateway refused a held refund: give the amount back."""
        self.refunded = self.refunded - amount
        self._settle_refund_state(now)

    def record_gateway_refund(self, total: Money, now: datetime) -> Money:
        """The gateway says ``total`` is refunded (a refund made outside the shop, from the
        gateway's dashboard): count what we did not know of; returns that amount."""
        unknown = total - self.refunded
        if unknown.is_negative or unknown.is_zero or self.status not in _CAPTURED:
            return Money.zero(self.amount.currency)
        unknown = unknown.min(self.refundable)
        self.refunded = self.refunded + unknown
        self._settle_refund_state(now)
        return unknown

    def dispute(self, now: datetime) -> None:
        self._require(*_CAPTURED)
        self.status = PaymentState.DISPUTED
        self.updated_at = now

    def close_dispute(self, won: bool, now: datetime) -> None:
        """Won: the money is the shop's again; lost: the bank took it all back."""
        self._require(PaymentState.DISPUTED)
        if not won:
            self.refunded = self.amount
        self._settle_refund_state(now)

    def _settle_refund_state(self, now: datetime) -> None:
        if self.refunded.is_zero:
            self.status = PaymentState.COMPLETED
        elif self.refunded == self.amount:
            self.status = PaymentState.REFUNDED
        else:
            self.status = PaymentState.PARTIALLY_REFUNDED
        self.updated_at = now


@attrs.define
class Refund:
    id: int
    payment_id: int
    order_id: int
    amount: Money
    reason: str
    created_at: datetime
    updated_at: datetime
    status: RefundState = RefundState.PENDING
    transaction_id: str | None = None
    failure_reason: str = ""
    seller_id: int | None = None       # set when a seller refunds their own items
    item_ids: tuple[int, ...] = ()     # the order items refunded, when refunded by item
