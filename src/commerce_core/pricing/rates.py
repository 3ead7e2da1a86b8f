"""Tax and shipping rate tables."""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from decimal import Decimal

import attrs

from commerce_core.errors import ValidationError
from commerce_core.money import Money


@attrs.frozen
class TaxRate:
    """``rate`` is a fraction (0.0825). An empty ``region`` covers the whole country."""

    country: str
    rate: Decimal
    region: str = ""

    def __attrs_post_init__(self) -> None:
        if not Decimal(0) <= self.rate < Decimal(1):
            raise ValidationError("tax rate must be within [0, 1)", {"rate": "0 <= r < 1"})


@attrs.frozen
class TaxTable:
    rates: Sequence[TaxRate] = ()

    def rate_for(self, country: str, region: str = "") -> Decimal:
        """The region's rate if listed, else the country's, else zero."""
        country, region = country.upper(), region.upper()
        by_country = [r for r in self.rates if r.country.upper() == country]
        for r in by_country:
            if region and r.region.upper() == region:
                return r.rate
        for r in by_country:
            if not r.region:
                return r.rate
        return Decimal(0)


class ShippingKind(enum.StrEnum):
    FLAT = "flat"
    BY_WEIGHT = "by_weight"


@attrs.frozen
class ShippingRate:
    """Cost in the cart's currency. ``countries`` empty means everywhere else.

    BY_WEIGHT: ``amount`` plus ``per_kg`` for every started kilogram.
    ``free_over``: nothing to pay once the discounted subtotal reaches it.
    """

    kind: ShippingKind
    amount: Decimal
    per_kg: Decimal = Decimal(0)
    free_over: Decimal | None = None
    countries: frozenset[str] = frozenset()
    name: str = "standard"

    def cost(self, subtotal: Money, weight_grams: int) -> Money:
        if self.free_over is not None and subtotal.amount >= self.free_over:
            return Money.zero(subtotal.currency)
        amount = self.amount
        if self.kind is ShippingKind.BY_WEIGHT:
            amount += self.per_kg * math.ceil(weight_grams / 1000)
        return Money(amount, subtotal.currency)


@attrs.frozen
class ShippingTable:
    rates: Sequence[ShippingRate] = ()

    def quote(self, country: str, subtotal: Money, weight_grams: int) -> Money:
        """The rate listing ``country``, else the catch-all; zero when nothing applies."""
        country = country.upper()
        for r in self.rates:
            if country in r.countries:
                return r.cost(subtotal, weight_grams)
        for r in self.rates:
            if not r.countries:
                return r.cost(subtotal, weight_grams)
        return Money.zero(subtotal.currency)


@attrs.frozen
class PricingRules:
    """Shop-wide pricing settings; ``default_country`` prices carts that have no address yet."""

    tax: TaxTable = TaxTable()
    shipping: ShippingTable = ShippingTable()
    default_country: str = "US"
    default_region: str = ""
