"""Reading input strictly: a wrong type, a missing field or an unknown value is a 422 that
names the field, never a 500."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import falcon

from commerce_core.address import Address
from commerce_core.errors import ValidationError


def body(req: falcon.Request) -> dict[str, Any]:
    """The JSON object sent; {} when there is no body."""
    media = req.get_media(default_when_empty={})
    if not isinstance(media, dict):
        raise ValidationError("the body must be a JSON object", {"body": "not an object"})
    return media


def _bad(name: str, expected: str) -> ValidationError:
    return ValidationError(f"{name} must be {expected}", {name: expected})


def integer(source: Mapping[str, Any], name: str, default: int | None = None, *,
            low: int | None = None, high: int | None = None) -> int:
    value = source.get(name, default)
    if value is None:
        raise ValidationError(f"{name} is required", {name: "required"})
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            raise _bad(name, "a whole number") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(name, "a whole number")
    if (low is not None and value < low) or (high is not None and value > high):
        raise _bad(name, f"between {low} and {high}")
    return value


def ident(source: Mapping[str, Any], name: str) -> int:
    """An id: a whole number from 1."""
    return integer(source, name, low=1, high=2**63 - 1)


def text(source: Mapping[str, Any], name: str, default: str | None = None, *,
         limit: int = 1000) -> str:
    value = source.get(name, default)
    if value is None:
        raise ValidationError(f"{name} is required", {name: "required"})
    if not isinstance(value, str):
        raise _bad(name, "a string")
    if len(value) > limit:
        raise _bad(name, f"at most {limit} characters")
    return value


def optional_text(source: Mapping[str, Any], name: str, limit: int = 1000) -> str | None:
    return None if source.get(name) is None else text(source, name, limit=limit)


def decimal(source: Mapping[str, Any], name: str) -> Decimal | None:
    value = source.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _bad(name, "a number")
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise _bad(name, "a number") from None
    if not result.is_finite():
        raise _bad(name, "a number")
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
