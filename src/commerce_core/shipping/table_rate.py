"""The built-in carrier: a price table per service level (base + per started kilogram),
domestic or international, with tracking numbers from the shop's id generator."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal

import attrs

from commerce_core.errors import ValidationError
from commerce_core.ids import IdGenerator
from commerce_core.money import Money
from commerce_core.shipping.model import Label, Parcel, Quote, ServiceLevel


@attrs.frozen
class Rate:
    base: Decimal
    per_kg: Decimal
    days: int
    international_surcharge: Decimal = Decimal("15.00")


DEFAULT_RATES: Mapping[ServiceLevel, Rate] = {
    ServiceLevel.STANDARD: Rate(Decimal("4.99"), Decimal("0.50"), 5),
    ServiceLevel.EXPRESS: Rate(Decimal("9.99"), Decimal("1.00"), 2),
    ServiceLevel.OVERNIGHT: Rate(Decimal("24.99"), Decimal("2.00"), 1),
}


class TableRateCarrier:
    def __init__(self, ids: IdGenerator, rates: Mapping[ServiceLevel, Rate] = DEFAULT_RATES,
                 home_country: str = "US", name: str = "table-rate") -> None:
        self._ids = ids
        self._rates = dict(rates)
        self._home = home_country.upper()
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def quote(self, parcel: Parcel) -> Sequence[Quote]:
        kilos = math.ceil(max(parcel.weight_grams, 1) / 1000)
        abroad = parcel.destination.country != self._home
        quotes = []
        for level, rate in self._rates.items():
            price = rate.base + rate.per_kg * kilos
            if abroad:
                price += rate.international_surcharge
            quotes.append(Quote(self._name, level, Money(price, parcel.currency),
                                rate.days + (3 if abroad else 0)))
        return sorted(quotes, key=lambda q: q.price.amount)

    def create_label(self, parcel: Parcel, level: ServiceLevel, reference: str) -> Label:
        if level not in self._rates:
            raise ValidationError(f"{self._name} does not offer {level}",
                                  {"service_level": "not offered"})
        return Label(f"TR{self._ids.next_id()}")
