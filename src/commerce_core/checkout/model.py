"""The persisted state of one checkout saga, and the moves it may make.

RESERVED --(token)--> PAYMENT_STARTED --succeeded--> COMPLETED
    \\--(no token)--> AWAITING_PAYMENT --pay()--> PAYMENT_STARTED
PAYMENT_STARTED --requires action--> AWAITING_ACTION --webhook--> COMPLETED | FAILED
any live state --decline, unknown gateway outcome voided, crash recovery--> FAILED
AWAITING_* --reservation deadline--> EXPIRED;  customer cancel --> CANCELLED

A move is checked against :data:`MOVES` here and stored only if the stored state is still the
one it was made from (``CheckoutRepository.move``), so two processes settling one checkout
(a request and recover(), a webhook and expiry) cannot both win.
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


_S = CheckoutState
MOVES: dict[CheckoutState, frozenset[CheckoutState]] = {
    _S.RESERVED: frozenset({_S.PAYMENT_STARTED, _S.FAILED, _S.EXPIRED, _S.CANCELLED}),
    _S.AWAITING_PAYMENT: frozenset({_S.PAYMENT_STARTED, _S.FAILED, _S.EXPIRED, _S.CANCELLED}),
    _S.PAYMENT_STARTED: frozenset({_S.COMPLETED, _S.AWAITING_ACTION, _S.FAILED}),
    _S.AWAITING_ACTION: frozenset({_S.COMPLETED, _S.FAILED, _S.EXPIRED, _S.CANCELLED}),
    _S.COMPLETED: frozenset(),
    _S.FAILED: frozenset(),
    _S.EXPIRED: frozenset(),
    _S.CANCELLED: frozenset(),
}
TERMINAL = frozenset(s for s, targets in MOVES.items() if not targets)
PAYABLE = frozenset({CheckoutState.RESERVED, CheckoutState.AWAITING_PAYMENT})
CHARGING = frozenset({CheckoutState.PAYMENT_STARTED, CheckoutState.AWAITING_ACTION})


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

    def move(self, target: CheckoutState, now: datetime) -> CheckoutState:
        """Take one step of :data:`MOVES`; returns the state it left (what the store must
        still hold for the step to be written)."""
        left = self.state
        if target not in MOVES[left]:
            raise InvalidTransition(f"checkout {self.id} is {left}, it cannot become {target}",
                                    {"state": left.value, "target": target.value})
        self.state = target
        self.updated_at = now
        return left

    def fail(self, code: str, message: str, now: datetime,
             target: CheckoutState = CheckoutState.FAILED) -> CheckoutState:
        left = self.move(target, now)
        self.failure_code = code
        self.failure_message = message
        return left
