"""The sections of the shop's settings, what the store keeps of each, and what applies."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime

import attrs

from commerce_core.fraud.model import FraudRules
from commerce_core.pricing.rates import PricingRules, ShippingTable, TaxRate, TaxTable


class Section(enum.StrEnum):
    """Each section is stored, versioned and replaced as a whole."""

    TAX = "tax"
    SHIPPING = "shipping"
    FRAUD = "fraud"


@attrs.frozen
class TaxSettings:
    """The tax rates, and where a cart with no address yet is priced (tax and shipping)."""

    rates: tuple[TaxRate, ...] = ()
    default_country: str = "US"
    default_region: str = ""

    @property
    def table(self) -> TaxTable:
        return TaxTable(self.rates)


SectionValue = TaxSettings | ShippingTable | FraudRules


@attrs.frozen
class StoredSection:
    """A section as the store holds it. ``value`` None: reset, the defaults apply again.
    ``version`` goes up by one with every write of the section and never goes down."""

    section: Section
    value: SectionValue | None
    version: int
    updated_at: datetime
    updated_by: int | None = None


Versions = tuple[tuple[str, int], ...]  # (section, version) of each stored section, sorted


def versions_key(versions: Mapping[Section, int]) -> Versions:
    return tuple(sorted((s.value, v) for s, v in versions.items()))


@attrs.frozen
class ShopSettings:
    """What applies now: each stored section, else the default given in Python
    (``connect(rules=..., fraud_rules=...)``)."""

    tax: TaxSettings
    shipping: ShippingTable
    fraud: FraudRules
    stored: Mapping[Section, StoredSection]
    pricing: PricingRules  # tax and shipping as the pricing functions take them

    @classmethod
    def resolve(cls, stored: Mapping[Section, StoredSection], pricing: PricingRules,
                fraud: FraudRules) -> ShopSettings:
        """The stored sections over the defaults ``pricing`` and ``fraud``."""
        def value(section: Section) -> object:
            found = stored.get(section)
            return None if found is None else found.value

        tax = value(Section.TAX)
        if not isinstance(tax, TaxSettings):
            tax = TaxSettings(tuple(pricing.tax.rates), pricing.default_country,
                              pricing.default_region)
        shipping = value(Section.SHIPPING)
        if not isinstance(shipping, ShippingTable):
            shipping = pricing.shipping
        rules = value(Section.FRAUD)
        if not isinstance(rules, FraudRules):
            rules = fraud
        return cls(tax, shipping, rules, dict(stored),
                   PricingRules(tax.table, shipping, tax.default_country, tax.default_region))

    @property
    def key(self) -> Versions:
        """What a cached copy of these settings is keyed on."""
        return versions_key({s: r.version for s, r in self.stored.items()})

    def is_default(self, section: Section) -> bool:
        """Whether ``section`` is the one given in Python (never stored, or reset)."""
        found = self.stored.get(section)
        return found is None or found.value is None
