"""Money: Decimal amounts in an ISO 4217 currency, rounded to the currency's minor unit."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation

import attrs

from commerce_core.errors import ValidationError

# Minor-unit exponents that differ from 2 (ISO 4217). Everything else has two decimals.
_EXPONENTS: dict[str, int] = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0,
    "XPF": 0, "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}


# The stores keep amounts as NUMERIC(19, 4): at most 15 digits before the point.
MAX_AMOUNT = Decimal(10) ** 15
# Plain decimal notation only: no sign but minus, no spaces, exponent, underscores or NaN.
_PLAIN = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")


def minor_exponent(currency: str) -> int:
    """Number of decimals of ``currency``'s minor unit (JPY 0, USD 2, KWD 3)."""
    return _EXPONENTS.get(currency, 2)


@functools.cache
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_exponent(currency))


def _to_decimal(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float | bool):
        # floats carry binary noise (0.1 + 0.2); make callers say what they mean.
        raise ValidationError("amount must be a Decimal, int or str, not a float",
                              {"amount": "float not allowed"})
    try:
        result = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as ex:
        raise ValidationError(f"invalid amount {value!r}", {"amount": "not a number"}) from ex
    if not result.is_finite():
        raise ValidationError(f"invalid amount {value!r}", {"amount": "not finite"})
    if abs(result) >= MAX_AMOUNT:
        raise ValidationError(f"amount {value!r} is out of range",
                              {"amount": f"below {MAX_AMOUNT:,} in size"})
    return result


def exact_amount(value: object, currency: str, field: str = "amount") -> Decimal:
    """An amount as given by a person or a client: a Decimal, an int or a plain decimal
    string, with no more decimals than ``currency`` has and within what the stores hold.
    Nothing is rounded: ``"10.001"`` in USD is refused, as are ``" 5"`` and ``"1e3"``."""
    if isinstance(value, str | Decimal) and not _PLAIN.match(str(value)):
        raise ValidationError(f"{field} must be a plain decimal number like 12.50",
                              {field: "a plain decimal number"})
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ValidationError(f"{field} must be a decimal number", {field: "a number"})
    amount = Decimal(value)
    if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
        raise ValidationError(f"{field} is out of range",
                              {field: f"below {MAX_AMOUNT:,} in size"})
    places = minor_exponent(_check_currency(currency))
    if amount != amount.quantize(_quantum(currency)):
        raise ValidationError(f"{field} has more than {places} decimals for {currency}",
                              {field: f"at most {places} decimals"})
    return amount


def _check_currency(currency: str) -> str:
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()
            and currency.isupper()):
        raise ValidationError(f"invalid currency {currency!r}",
                              {"currency": "expected a 3-letter ISO 4217 code"})
    return currency


@attrs.frozen(order=False)
class Money:
    """An amount in one currency, always held at the currency's minor-unit precision.

    ``Money("19.999", "USD")`` rounds half-up to ``20.00``; arithmetic between two currencies
    raises :class:`~commerce_core.errors.ValidationError`.
    """

    amount: Decimal = attrs.field(converter=_to_decimal)
    currency: str = attrs.field(validator=lambda _i, _a, v: _check_currency(v))

    def __attrs_post_init__(self) -> None:
        rounded = self.amount.quantize(_quantum(self.currency), rounding=ROUND_HALF_UP)
        object.__setattr__(self, "amount", rounded)

    @classmethod
    def exact(cls, value: object, currency: str, field: str = "amount") -> Money:
        """Money from input, refused rather than rounded (:func:`exact_amount`)."""
        return cls(exact_amount(value, currency, field), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def from_minor(cls, units: int, currency: str) -> Money:
        """Build from an integer count of minor units (cents, yen, fils)."""
        return cls(Decimal(units).scaleb(-minor_exponent(currency)), currency)

    @property
    def minor_units(self) -> int:
        return int(self.amount.scaleb(minor_exponent(self.currency)))

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise ValidationError(
                f"cannot mix currencies {self.currency} and {other.currency}",
                {"currency": "mixed currencies"},
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return _held(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return _held(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, float | bool):
            raise TypeError("multiply Money by an int or Decimal")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return _held(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    @property
    def is_zero(self) -> bool:
        return self.amount == 0

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    def min(self, other: Money) -> Money:
        return self if self <= other else other

    def percent(self, rate: Decimal) -> Money:
        """``rate`` percent of this amount, rounded half-even (banker's) to the minor unit."""
        return self.times_rate(rate / Decimal(100))

    def times_rate(self, rate: Decimal) -> Money:
        """This amount times a fraction (tax rate 0.0825), rounded half-even."""
        raw = self.amount * rate
        return Money(raw.quantize(_quantum(self.currency), rounding=ROUND_HALF_EVEN),
                     self.currency)

    def allocate(self, weights: Sequence[int | Decimal]) -> list[Money]:
        """Split into parts proportional to ``weights`` that add up exactly to this amount.

        Largest-remainder method on minor units: no cent is lost or invented. Zero weights
        get zero; all-zero weights split evenly.
        """
        if not weights:
            raise ValidationError("allocate needs at least one weight", {"weights": "empty"})
        if any(w < 0 for w in weights):
            raise ValidationError("weights must not be negative", {"weights": "negative"})
        total_units = self.minor_units
        sign = -1 if total_units < 0 else 1
        units = abs(total_units)
        ws = [Decimal(w) for w in weights]
        if sum(ws) == 0:
            ws = [Decimal(1)] * len(ws)
        total_w = sum(ws)
        exact = [Decimal(units) * w / total_w for w in ws]
        floors = [int(e) for e in exact]
        leftover = units - sum(floors)
        # Hand the leftover units to the largest fractional remainders, earliest first on ties.
        order = sorted(range(len(ws)), key=lambda i: (-(exact[i] - floors[i]), i))
        for i in order[:leftover]:
            floors[i] += 1
        return [Money.from_minor(sign * f, self.currency) for f in floors]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def _held(amount: Decimal, currency: str) -> Money:
    """The sum, difference or negation of Moneys of one currency: already at the minor unit,
    so only the range is checked. Checkout adds amounts dozens of times; the full
    constructor (conversion, currency check, rounding) was a twentieth of its CPU."""
    if abs(amount) >= MAX_AMOUNT:
        return Money(amount, currency)  # refuses it, saying why
    money = object.__new__(Money)
    object.__setattr__(money, "amount", amount)
    object.__setattr__(money, "currency", currency)
    return money


def total(amounts: Sequence[Money], currency: str) -> Money:
    """Sum of ``amounts`` (all in ``currency``); zero for an empty sequence."""
    result = Money.zero(currency)
    for m in amounts:
        result = result + m
    return result
