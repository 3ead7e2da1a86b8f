"""One error hierarchy for the whole SDK; HTTP and CLI map it to status codes and exit codes.

Each error has a stable ``code`` (machine readable), a human ``message`` and ``details``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class CommerceError(Exception):
    """Root of every error the SDK raises on purpose."""

    code: str = "commerce_error"

    def __init__(self, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})


class NotFound(CommerceError):
    code = "not_found"


class ValidationError(CommerceError):
    """Bad input; ``details`` maps each offending field to what is wrong with it."""

    code = "validation_error"


class Conflict(CommerceError):
    """The request clashes with the current state (duplicate, wrong state, reused key)."""

    code = "conflict"


class InProgress(Conflict):
    """A request with this Idempotency-Key is still running: ask again after
    ``retry_after`` seconds for its outcome (never a half-done snapshot of it)."""

    code = "idempotency_in_progress"

    def __init__(self, message: str, retry_after: float,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message, {**(details or {}), "retry_after": retry_after})
        self.retry_after = retry_after


class InvalidTransition(Conflict):
    code = "invalid_state_transition"


class PriceChanged(Conflict):
    """Cart prices differ from the catalog's; ``details['lines']`` names each changed line."""

    code = "price_changed"

    def __init__(self, lines: Sequence[Mapping[str, Any]]) -> None:
        names = ", ".join(str(line["product_name"]) for line in lines)
        super().__init__(f"prices changed since they were added to the cart: {names}",
                         {"lines": [dict(line) for line in lines]})
        self.lines = [dict(line) for line in lines]


class InsufficientStock(CommerceError):
    """Not enough stock; ``details['lines']`` lists each short variant with what is left."""

    code = "insufficient_stock"

    def __init__(self, lines: Sequence[Mapping[str, Any]]) -> None:
        skus = ", ".join(str(line.get("sku") or line["variant_id"]) for line in lines)
        super().__init__(f"not enough stock for {skus}", {"lines": [dict(x) for x in lines]})
        self.lines = [dict(line) for line in lines]


class PaymentDeclined(CommerceError):
    code = "payment_declined"


class Forbidden(CommerceError):
    code = "forbidden"


class Unauthenticated(CommerceError):
    code = "unauthenticated"


class RateLimited(CommerceError):
    code = "rate_limited"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message, {"retry_after": retry_after})
        self.retry_after = retry_after


class Unavailable(CommerceError):
    """A backend or gateway cannot answer now; retrying later may succeed."""

    code = "unavailable"


class TransientError(Unavailable):
    """A failure worth retrying at once (timeout, dropped connection, 5xx)."""

    code = "transient_error"
