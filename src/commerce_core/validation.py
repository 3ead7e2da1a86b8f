"""Input checks shared by every context."""

from __future__ import annotations

from commerce_core.errors import ValidationError


def whole_number(field: str, value: object, minimum: int = 0,
                 maximum: int | None = None) -> int:
    """``value`` if it is an int (not a bool) within [minimum, maximum], else ValidationError."""
    if (not isinstance(value, int) or isinstance(value, bool) or value < minimum
            or (maximum is not None and value > maximum)):
        bound = f"within {minimum}..{maximum}" if maximum is not None else f">= {minimum}"
        raise ValidationError(f"{field} must be a whole number {bound}",
                              {field: f"must be {bound}"})
    return value
