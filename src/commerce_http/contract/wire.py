"""The types every body, query and response is declared with, and their JSON form.

Ids travel as decimal strings (``"386271410162872320"``): a 64-bit id is past what a
JavaScript number holds exactly, and ``JSON.parse`` would round two neighbours to one.
Numbers are still accepted on input. Amounts travel as exact decimal strings with their
currency's decimals (``"99.50"``), never through a float.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar

import msgspec

from commerce_core.money import Money, minor_exponent
from commerce_core.pagination import MAX_LIMIT, MAX_PAGE
from commerce_core.validation import MAX_ID

R = TypeVar("R")

# No control character (tab and newlines aside) and no lone surrogate in any string.
_PRINTABLE = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\ud800-\\udfff]*$"
_DIGITS = re.compile(r"[0-9]{1,19}\Z")
_PLAIN_AMOUNT = "^-?[0-9]{1,30}(\\.[0-9]{1,30})?$"


class Id(int):
    """A stored id (1..2^63-1). In Python an int; on the wire a string of digits."""

    def __repr__(self) -> str:
        return int.__repr__(self)


def _text(max_length: int) -> msgspec.Meta:
    return msgspec.Meta(max_length=max_length, pattern=_PRINTABLE)


# Strings of at most N characters with no control character (the core says which fields
# take newlines). Named by their bound: mypy needs each alias spelled out.
Text20 = Annotated[str, _text(20)]
Text40 = Annotated[str, _text(40)]
Text100 = Annotated[str, _text(100)]
Text200 = Annotated[str, _text(200)]
Text255 = Annotated[str, _text(255)]
Text500 = Annotated[str, _text(500)]
Text1000 = Annotated[str, _text(1000)]
Text2000 = Annotated[str, _text(2000)]
Text5000 = Annotated[str, _text(5000)]
Text10000 = Annotated[str, _text(10000)]
Email = Annotated[str, _text(254)]
Password = Annotated[str, _text(256)]


class Moment(datetime):
    """A point in time: ISO 8601, a bare date meaning its midnight UTC, no zone meaning UTC."""


# msgspec writes RFC 3339 but documents a bare string: say date-time, so generated clients
# give a datetime
Timestamp = Annotated[datetime, msgspec.Meta(extra_json_schema={"format": "date-time"})]
Day = Annotated[date, msgspec.Meta(extra_json_schema={"format": "date"})]
# an amount in a response (render it with money()); amounts in requests are AmountIn
Amount = Annotated[Decimal, msgspec.Meta(
    description="an exact decimal amount with its currency's decimals, as a string (\"99.50\")")]


class AmountIn(Decimal):
    """An amount as a client sends it: a plain decimal string (``"12.50"``) or a JSON number,
    read exactly (never through a float); not ``" 5"``, ``"1e3"``, ``"1_000"`` or ``NaN``,
    which Python's Decimal would take. How many decimals it may have is the core's rule."""


Page = Annotated[int, msgspec.Meta(ge=1, le=MAX_PAGE)]
Limit = Annotated[int, msgspec.Meta(ge=1, le=MAX_LIMIT)]


class Body(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A request body: an unknown field is refused (a typo is an error, not a no-op)."""


class Query(msgspec.Struct, kw_only=True):
    """Query parameters: unknown ones are ignored, as most APIs do (caches add their own)."""


class Model(msgspec.Struct, kw_only=True):
    """A response body. Clients ignore fields they do not know, so fields can be added."""


class Success(msgspec.Struct, Generic[R], kw_only=True):
    status: Literal["success"] = "success"
    data: R


class ErrorDetail(msgspec.Struct, kw_only=True):
    code: str
    message: str
    details: dict[str, Any] = msgspec.field(default_factory=dict)


class Failure(msgspec.Struct, kw_only=True):
    status: Literal["error"] = "error"
    error: ErrorDetail


def money(amount: Money | Decimal, currency: str | None = None) -> Decimal:
    """``amount`` with its currency's decimals, as it goes on the wire (``99.5`` -> ``99.50``)."""
    if isinstance(amount, Money):
        return amount.amount.quantize(Decimal(1).scaleb(-minor_exponent(amount.currency)))
    return amount.quantize(Decimal(1).scaleb(-minor_exponent(currency or "USD")))


def _encode(value: Any) -> Any:
    if isinstance(value, Id):
        return str(value)
    if isinstance(value, datetime):  # a Moment (msgspec writes only datetime itself)
        return value.isoformat()
    if isinstance(value, Decimal):  # an AmountIn, as exact as it came
        return str(value)
    # msgspec's hook protocol: NotImplementedError means "not a type of mine" (its TypeError)
    raise NotImplementedError(f"cannot write {type(value).__name__} as JSON")


def _decode(kind: type, value: Any) -> Any:
    if kind is Id:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and _DIGITS.match(value):
            number = int(value)
        else:
            raise ValueError("Expected an id: digits, as a string or a number")
        if not 1 <= number <= MAX_ID:
            raise ValueError(f"Expected an id from 1 to {MAX_ID}")
        return Id(number)
    if kind is Moment:
        if not isinstance(value, str):
            raise ValueError("Expected an ISO 8601 date or datetime")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("Expected an ISO 8601 date or datetime") from None
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return Moment.fromisoformat(parsed.isoformat())
    if kind is AmountIn:
        # a JSON number arrives as the Decimal of its literal (``float_hook``), so 1E2 is seen
        if isinstance(value, bool) or not isinstance(value, int | str | Decimal) or \
                not re.match(_PLAIN_AMOUNT, str(value)):
            raise ValueError("Expected a plain decimal number like 12.50")
        return AmountIn(value)
    raise NotImplementedError(f"cannot read {kind.__name__}")  # msgspec's hook protocol


def _schema(kind: type) -> dict[str, Any]:
    if kind is Id:
        return {"type": "string", "pattern": "^[1-9][0-9]{0,18}$",
                "description": "an id, as a string of digits"}
    if kind is Moment:
        return {"type": "string", "format": "date-time"}
    if kind is AmountIn:
        return {"anyOf": [{"type": "string", "pattern": _PLAIN_AMOUNT}, {"type": "number"}],
                "description": "an exact decimal amount: a plain decimal string (\"99.50\") "
                               "or a number"}
    raise NotImplementedError(f"no schema for {kind.__name__}")  # msgspec's hook protocol


encoder = msgspec.json.Encoder(enc_hook=_encode, decimal_format="string")
encode: Callable[[Any], bytes] = encoder.encode
schema_hook = _schema


_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}


def decode(data: bytes, kind: type[R]) -> R:
    """``data`` (JSON) as ``kind``; msgspec's errors for :mod:`commerce_http.contract.errors`."""
    decoder = _decoders.get(kind)
    if decoder is None:  # one per type: building it is the costly part
        decoder = _decoders[kind] = msgspec.json.Decoder(kind, dec_hook=_decode,
                                                         float_hook=Decimal)
    result: R = decoder.decode(data)
    return result


def convert(data: Any, kind: type[R], *, strict: bool = True) -> R:
    """Python values (query strings when not ``strict``) as ``kind``."""
    return msgspec.convert(data, kind, strict=strict, dec_hook=_decode)


def to_builtins(value: Any) -> Any:
    """``value`` as plain JSON values (ids and amounts as strings), e.g. for the CLI's tables."""
    return msgspec.to_builtins(value, enc_hook=_encode, builtin_types=(datetime, date))


__all__ = [
    "Amount",
    "AmountIn",
    "Body",
    "Email",
    "Failure",
    "Id",
    "Limit",
    "Model",
    "Moment",
    "Page",
    "Password",
    "Query",
    "Success",
    "Text20",
    "Text40",
    "Text100",
    "Text200",
    "Text255",
    "Text500",
    "Text1000",
    "Text2000",
    "Text5000",
    "Text10000",
    "convert",
    "decode",
    "encode",
    "money",
    "to_builtins",
]
