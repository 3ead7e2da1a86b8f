"""Reading input strictly: a wrong type, a missing field, an unknown field or value, a
number out of range or a forbidden character is a 422 that names the field, never a 500."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from commerce_core.address import Address
from commerce_core.errors import ValidationError
from commerce_core.money import MAX_AMOUNT
from commerce_core.pagination import MAX_LIMIT, MAX_PAGE
from commerce_core.validation import MAX_ID, forbidden_character

_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")
_WHOLE_NUMBER = re.compile(r"-?[0-9]+\Z")


def known(data: Mapping[str, Any], fields: Iterable[str], prefix: str = "") -> None:
    """Refuse fields not in ``fields``, naming them: a typo is an error, not a no-op, and
    no field can reach a service as an argument it does not take."""
    unknown = sorted(set(data) - set(fields))
    if unknown:
        names = [f"{prefix}{name}" for name in unknown]
        raise ValidationError(f"unknown fields: {', '.join(names)}",
                              {name: "unknown field" for name in names})


def check_strings(value: Any) -> None:
    """No NUL, other control character (tab and newlines aside) or lone surrogate in any
    key or string of the body; which fields take newlines is each field's own rule."""
    stack: list[tuple[str, Any]] = [("body", value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                _check_string(f"{where}.{key}", key)
                stack.append((key if where == "body" else f"{where}.{key}", child))
        elif isinstance(item, list):
            stack.extend((f"{where}.{i}", child) for i, child in enumerate(item))
        elif isinstance(item, str):
            _check_string(where, item)


def _check_string(where: str, value: str, multiline: bool = True) -> None:
    bad = forbidden_character(value, multiline)
    if bad is not None:
        raise ValidationError(f"{where} holds a forbidden character (U+{ord(bad):04X})",
                              {where: f"forbidden character U+{ord(bad):04X}"})


def _bad(name: str, expected: str) -> ValidationError:
    return ValidationError(f"{name} must be {expected}", {name: expected})


def integer(source: Mapping[str, Any], name: str, default: int | None = None, *,
            low: int = -MAX_ID - 1, high: int = MAX_ID) -> int:
    """A whole number within [low, high]; by default what a 64-bit column holds."""
    value = source.get(name, default)
    if value is None:
        raise ValidationError(f"{name} is required", {name: "required"})
    if isinstance(value, str):
        if not _WHOLE_NUMBER.match(value):
            raise _bad(name, "a whole number")
        try:
            value = int(value)
        except ValueError:  # more digits than int() reads: far out of any range
            raise _bad(name, f"between {low} and {high}") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(name, "a whole number")
    if not low <= value <= high:
        raise _bad(name, f"between {low} and {high}")
    return value


def ident(source: Mapping[str, Any], name: str) -> int:
    """An id: a whole number from 1."""
    return integer(source, name, low=1, high=MAX_ID)


def page(query: Mapping[str, Any]) -> int:
    """The ``page`` of a listing: 1..MAX_PAGE, the core's bound for every listing."""
    return integer(query, "page", 1, low=1, high=MAX_PAGE)


def limit(query: Mapping[str, Any], default: int = 20) -> int:
    """The ``limit`` of a listing: 1..MAX_LIMIT."""
    return integer(query, "limit", default, low=1, high=MAX_LIMIT)


def idents(source: Mapping[str, Any], name: str) -> list[int]:
    """A list of ids."""
    values = source.get(name)
    if not isinstance(values, list) or len(values) > 1000:
        raise _bad(name, "a list of ids")
    return [ident({name: v}, name) for v in values]


def text(source: Mapping[str, Any], name: str, default: str | None = None, *,
         limit: int = 1000) -> str:
    value = source.get(name, default)
    if value is None:
        raise ValidationError(f"{name} is required", {name: "required"})
    if not isinstance(value, str):
        raise _bad(name, "a string")
    if len(value) > limit:
        raise _bad(name, f"at most {limit} characters")
    _check_string(name, value)
    return value


def optional_text(source: Mapping[str, Any], name: str, limit: int = 1000) -> str | None:
    return None if source.get(name) is None else text(source, name, limit=limit)


def decimal(source: Mapping[str, Any], name: str) -> Decimal | None:
    """A number in plain notation (``12.50``; JSON numbers are read as exact Decimals), not
    ``" 5"``, ``1e3`` or ``NaN``; how many decimals an amount may have is the core's rule."""
    value = source.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise _bad(name, "a number")
    if not isinstance(value, int) and not _PLAIN_NUMBER.match(str(value)):
        raise _bad(name, "a plain decimal number")
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise _bad(name, "a number") from None
    if abs(result) >= MAX_AMOUNT:
        raise _bad(name, f"below {MAX_AMOUNT:,} in size")
    return result


def moment(source: Mapping[str, Any], name: str) -> datetime | None:
    value = source.get(name)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise _bad(name, "an ISO 8601 date or datetime") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def boolean(source: Mapping[str, Any], name: str) -> bool | None:
    value = source.get(name)
    if value is None or isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1", "yes"):
        return True
    if str(value).lower() in ("false", "0", "no"):
        return False
    raise _bad(name, "true or false")


def string_map(source: Mapping[str, Any], name: str) -> dict[str, str]:
    value = source.get(name) or {}
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise _bad(name, "an object of strings")
    return dict(value)


def optional_address(source: Mapping[str, Any], name: str) -> Address | None:
    return None if source.get(name) is None else address(source, name)


def address(source: Mapping[str, Any], name: str) -> Address:
    """An address object; the seed's field names (address_line_1, state) are accepted too."""
    value = source.get(name)
    if not isinstance(value, dict):
        raise _bad(name, "an address object")
    fields = ("line1", "city", "postal_code", "country", "region", "line2", "name")
    unknown = set(value) - set(fields) - {"address_line_1", "address_line_2", "state"}
    if unknown:
        raise ValidationError(f"unknown address fields: {', '.join(sorted(unknown))}",
                              {name: "unknown fields"})
    aliases = {"line1": "address_line_1", "line2": "address_line_2", "region": "state"}
    picked = {}
    for f in fields:
        raw = value.get(f, value.get(aliases.get(f, f), ""))
        if not isinstance(raw, str):
            raise _bad(f"{name}.{f}", "a string")
        picked[f] = raw
    return Address(**picked)
