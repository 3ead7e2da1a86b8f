"""The persisted state of one checkout saga.

RESERVED --(token)--> PAYMENT_STARTED --succeeded--> COMPLETED
    \\--(no token)--> AWAITING_PAYMENT --pay()--> PAYMENT_STARTED
PAYMENT_STARTED --requires action--> AWAITING_ACTION --webhook--> COMPLETED | FAILED
any live state --decline, unknown gateway outcome voided, crash recovery--> FAILED
AWAITING_* --reservation deadline--> EXPIRED;  customer cancel --> CANCELLED
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from commerce_core.errors import InvalidTransition


class CheckoutState(enum.StrEnum):
    RESERVED = "RESERVED"
    AWAITING_PAYMENT = "AWAITING_PAYMENT"
    PAYMENT_STARTED = "PAYMENT_STARTED"
    AWAITING_ACTION = "AWAITING_ACTION"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"


TERMINAL = frozenset({CheckoutState.COMPLETED, CheckoutState.FAILED, CheckoutState.EXPIRED,
                      CheckoutState.CANCELLED})
PAYABLE = frozenset({CheckoutState.RESERVED, CheckoutState.AWAITING_PAYMENT})


@attrs.define
class Checkout:
    id: int
    user_id: int
    order_id: int
    reservation_id: int
    state: CheckoutState
    created_at: datetime
    updated_at: datetime
    coupon_code: str | None = None
    payment_id: int | None = None
    failure_code: str = ""
    failure_message: str = ""

    def move(self, target: CheckoutState, now: datetime, *allowed_from: CheckoutState) -> None:
        if self.state not in allowed_from:
            raise InvalidTransition(f"checkout {self.id} is {self.state}, not "
                                    f"{'/'.join(s.value for s in allowed_from)}",
                                    {"state": self.state.value})
        self.state = target
        self.updated_at = now

    def fail(self, code: str, message: str, now: datetime,
             target: CheckoutState = CheckoutState.FAILED) -> None:
        if self.state in TERMINAL:
            raise InvalidTransition(f"checkout {self.id} already ended as {self.state}",
                                    {"state": self.state.value})
        self.state = target
        self.failure_code = code
        self.failure_message = message
        self.updated_at = now
