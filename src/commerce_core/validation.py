"""Input checks shared by every context."""

from __future__ import annotations

import enum
from typing import Any, TypeVar

from commerce_core.errors import ValidationError

E = TypeVar("E", bound=enum.Enum)


def whole_number(field: str, value: object, minimum: int = 0,
                 maximum: int | None = None) -> int:
    """``value`` if it is an int (not a bool) within [minimum, maximum], else ValidationError."""
    if (not isinstance(value, int) or isinstance(value, bool) or value < minimum
            or (maximum is not None and value > maximum)):
        bound = f"within {minimum}..{maximum}" if maximum is not None else f">= {minimum}"
        raise ValidationError(f"{field} must be a whole number {bound}",
                              {field: f"must be {bound}"})
    return value


def choice(enum_type: type[E], value: object, field: str) -> E:
    """The member of ``enum_type`` whose value is ``value``, else a ValidationError that
    lists the choices (an unknown value is bad input, not a bug)."""
    try:
        return enum_type(value)
    except ValueError:
        options = ", ".join(str(m.value) for m in enum_type)
        raise ValidationError(f"{field} must be one of {options}", {field: options}) from None


def given(**values: Any) -> dict[str, Any]:
    """The keyword arguments that were given (not None): a partial update's changes."""
    return {name: value for name, value in values.items() if value is not None}
