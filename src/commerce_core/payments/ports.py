"""Payment storage and the payment gateway port."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

import attrs

from commerce_core.money import Money
from commerce_core.payments.model import Payment, PaymentState, Refund


class ChargeStatus(enum.StrEnum):
    SUCCEEDED = "succeeded"
    REQUIRES_ACTION = "requires_action"   # 3-D Secure and the like: the customer must act
    DECLINED = "declined"


@attrs.frozen
class ChargeRequest:
    amount: Money
    token: str                 # a gateway token (tok_..., pm_...), never a card number
    idempotency_key: str       # the gateway charges once per key, however often it is sent
    description: str = ""
    metadata: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class ChargeResult:
    status: ChargeStatus
    transaction_id: str | None
    decline_reason: str = ""
    raw: Mapping[str, Any] = attrs.field(factory=dict)
    # REQUIRES_ACTION: what the customer's browser needs to finish (Stripe.js
    # handleNextAction): the intent's client secret and the gateway's next action
    client_secret: str | None = None
    next_action: Mapping[str, Any] | None = None


@attrs.frozen
class RefundResult:
    transaction_id: str
    raw: Mapping[str, Any] = attrs.field(factory=dict)


class GatewayEventKind(enum.StrEnum):
    """The gateway events the shop acts on (named as Stripe names them)."""

    PAYMENT_SUCCEEDED = "payment_intent.succeeded"
    PAYMENT_FAILED = "payment_intent.payment_failed"
    REFUNDED = "charge.refunded"
    DISPUTE_OPENED = "charge.dispute.created"
    DISPUTE_CLOSED = "charge.dispute.closed"
    OTHER = "other"  # verified, but nothing the shop does anything about


@attrs.frozen
class GatewayEvent:
    """A verified webhook about one charge (``transaction_id``)."""

    id: str                    # the gateway's event id: each is applied once
    kind: GatewayEventKind
    transaction_id: str
    reason: str = ""           # why a payment failed, why a dispute was opened
    refunded: Money | None = None   # REFUNDED: the charge's total refunded so far
    idempotency_key: str = ""  # the key the charge was sent with (its metadata), if known
    order_id: int | None = None  # the order its metadata names, if any
    dispute_won: bool | None = None  # DISPUTE_CLOSED: won (money kept) or lost


class PaymentGateway(Protocol):
    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Charge once per idempotency key; TransientError when the outcome is unknown."""
        ...

    def lookup(self, idempotency_key: str) -> ChargeResult | None:
        """What the charge sent with this key became, None if the gateway never got it.

        TransientError if the gateway cannot tell now.
        """
        ...

    def void(self, idempotency_key: str) -> bool:
        """Make sure no money stands for this key: cancel or fully refund the charge.

        True if a charge stands reversed (by this call or an earlier one), False if there
        was none to reverse (none made, or declined). TransientError if unknown.
        """
        ...

    def refund(self, transaction_id: str, amount: Money, idempotency_key: str) -> RefundResult:
        """Refund part or all of a captured charge; PaymentDeclined if refused."""
        ...

    def verify_event(self, body: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        """Parse a webhook after checking its signature and age; Unauthenticated if the
        signature does not match or was made more than the tolerance (300 s) ago."""
        ...


class PaymentRepository(Protocol):
    def add(self, payment: Payment) -> None:
        """Conflict if the id, idempotency key or transaction id exists."""
        ...

    def get(self, payment_id: int) -> Payment:
        """NotFound if absent."""
        ...

    def update(self, payment: Payment) -> None:
        """Replace a payment; Conflict if its transaction id belongs to another payment."""
        ...

    def for_order(self, order_id: int) -> Sequence[Payment]:
        """The order's payments, oldest first."""
        ...

    def settle(self, payment: Payment, expected: PaymentState) -> bool:
        """Store the payment's status, transaction id, failure reason, gateway response and
        ``updated_at`` if its stored status is still ``expected``; False, writing nothing,
        otherwise. Conflict if the transaction id belongs to another payment."""
        ...

    def by_transaction(self, transaction_id: str) -> Payment:
        """NotFound if no payment has that gateway transaction id."""
        ...

    def add_refund(self, refund: Refund) -> None:
        """Store a new refund."""
        ...

    def update_refund(self, refund: Refund) -> None:
        """Replace a refund; NotFound if absent."""
        ...

    def get_refund(self, refund_id: int) -> Refund:
        """NotFound if absent."""
        ...

    def refunds(self, payment_id: int) -> Sequence[Refund]:
        """The payment's refunds, oldest first."""
        ...

    def refunds_between(self, since: datetime, until: datetime) -> Sequence[Refund]:
        """Refunds created in [since, until), oldest first; for reports."""
        ...

    def pending_refunds(self, created_before: datetime, limit: int) -> Sequence[Refund]:
        """Refunds still PENDING that were created before the cutoff, oldest first."""
        ...
