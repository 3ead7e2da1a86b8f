"""Input checks shared by every context."""

from __future__ import annotations

import enum
import re
from typing import Any, TypeVar

from commerce_core.errors import ValidationError

E = TypeVar("E", bound=enum.Enum)

MAX_ID = 2**63 - 1  # ids are signed 64-bit in every store (BIGINT)

# NUL and the other C0 controls, DEL, and lone surrogates (UTF-16 halves that no UTF-8
# store can hold): PostgreSQL refuses them outright, and no shop text needs them.
_FORBIDDEN_LINE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_FORBIDDEN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")  # tab, LF, CR allowed


def whole_number(field: str, value: object, minimum: int = 0,
                 maximum: int | None = None) -> int:
    """``value`` if it is an int (not a bool) within [minimum, maximum], else ValidationError."""
    if (not isinstance(value, int) or isinstance(value, bool) or value < minimum
            or (maximum is not None and value > maximum)):
        bound = f"within {minimum}..{maximum}" if maximum is not None else f">= {minimum}"
        raise ValidationError(f"{field} must be a whole number {bound}",
                              {field: f"must be {bound}"})
    return value


def identifier(field: str, value: object) -> int:
    """An id: a whole number in 1..2^63-1 (what a BIGINT column holds)."""
    return whole_number(field, value, 1, MAX_ID)


def forbidden_character(value: str, multiline: bool = False) -> str | None:
    """The first character of ``value`` no text field may hold, or None."""
    found = (_FORBIDDEN_TEXT if multiline else _FORBIDDEN_LINE).search(value)
    return found.group() if found else None


def text(field: str, value: object, limit: int, *, required: bool = False,
         multiline: bool = False) -> str:
    """``value`` if it is a string of at most ``limit`` characters with no control character
    (but tab and newlines when ``multiline``) and no lone surrogate."""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be a string", {field: "a string"})
    if required and not value.strip():
        raise ValidationError(f"{field} must not be blank", {field: "required"})
    if len(value) > limit:
        raise ValidationError(f"{field} is longer than {limit} characters",
                              {field: f"at most {limit} characters"})
    bad = forbidden_character(value, multiline)
    if bad is not None:
        raise ValidationError(f"{field} holds a forbidden character (U+{ord(bad):04X})",
                              {field: f"forbidden character U+{ord(bad):04X}"})
    return value


def texts(field: str, values: object, limit: int, count: int) -> list[str]:
    """A list of at most ``count`` one-line strings of at most ``limit`` characters each."""
    if not isinstance(values, list | tuple):
        raise ValidationError(f"{field} must be a list of strings", {field: "a list"})
    if len(values) > count:
        raise ValidationError(f"{field} holds more than {count} entries",
                              {field: f"at most {count} entries"})
    return [text(field, v, limit) for v in values]


def text_map(field: str, values: object, limit: int, count: int) -> dict[str, str]:
    """An object of at most ``count`` one-line string keys and values."""
    if not isinstance(values, dict):
        raise ValidationError(f"{field} must be an object of strings", {field: "an object"})
    if len(values) > count:
        raise ValidationError(f"{field} holds more than {count} entries",
                              {field: f"at most {count} entries"})
    return {text(field, k, limit, required=True): text(field, v, limit)
            for k, v in values.items()}


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
