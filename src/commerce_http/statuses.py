"""Which HTTP status each SDK error is, in one table, without Falcon: the server answers
with it and the client reads it back into the same error classes."""

from __future__ import annotations

from commerce_core import errors as e

# Most specific first: the first class the error is an instance of decides.
STATUS: list[tuple[type[e.CommerceError], int]] = [
    (e.InsufficientStock, 409),
    (e.PriceChanged, 409),
    (e.InvalidTransition, 409),
    (e.InProgress, 409),
    (e.Conflict, 409),
    (e.NotFound, 404),
    (e.ValidationError, 422),
    (e.PaymentDeclined, 402),
    (e.Unauthenticated, 401),
    (e.Forbidden, 403),
    (e.RateLimited, 429),
    (e.Unavailable, 503),
]
# status -> the most general class that has it (the last in the table)
ERROR_OF: dict[int, type[e.CommerceError]] = {status: cls for cls, status in STATUS}


def status_of(error: e.CommerceError) -> int:
    for cls, status in STATUS:
        if isinstance(error, cls):
            return status
    return 400
