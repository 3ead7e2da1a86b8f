"""Admins change the shop's settings; carts and checkouts read them through
:meth:`SettingsService.current`, inside their own transaction.

Every worker process keeps one parsed copy, keyed on the sections' versions. Each read checks
the versions in the caller's transaction (one small statement) and reads the sections again
only when one changed, in whichever process wrote it: a change applies to the very next
checkout everywhere, and an unchanged shop pays one statement per checkout for it. A time to
live would be cheaper still, but would charge a stale rate after a change, for a while.

The values given in Python (``connect(rules=..., fraud_rules=...)``) are the defaults: a
section never stored, or reset, applies them; a stored section overrides them whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.clock import Clock
from commerce_core.fraud.model import FraudRules
from commerce_core.pricing.rates import PricingRules
from commerce_core.settings import checks
from commerce_core.settings.model import (
    Section,
    SectionValue,
    ShopSettings,
    StoredSection,
    versions_key,
)
from commerce_core.uow import Transactions, UnitOfWork
from commerce_core.validation import choice


class SettingsService:
    def __init__(self, tx: Transactions, clock: Clock, pricing: PricingRules | None = None,
                 fraud: FraudRules | None = None) -> None:
        self._tx = tx
        self._clock = clock
        self.pricing_defaults = pricing or PricingRules()
        self.fraud_defaults = fraud or FraudRules()
        # replaced whole, never changed in place: a reader holds a consistent copy
        self._cached: ShopSettings | None = None

    def current(self, uow: UnitOfWork) -> ShopSettings:
        """The settings that apply, as ``uow``'s transaction sees the store (no actor: for
        the services that price and screen). Only ever cached from committed data: the
        unit of work that writes a section never calls this after writing."""
        cached = self._cached
        if cached is not None and versions_key(uow.settings.versions()) == cached.key:
            return cached
        found = self._resolve(uow.settings.load())
        self._cached = found
        return found

    def get(self, actor: Actor) -> ShopSettings:
        """Every section as it applies now, with what the store holds of each (admins)."""
        authorize(actor, Action.MANAGE_SETTINGS)
        with self._tx.read() as uow:
            return self.current(uow)

    def set_tax(self, actor: Actor, rates: Sequence[checks.TaxRateInput], *,
                default_country: str | None = None,
                default_region: str | None = None) -> ShopSettings:
        """Replace the tax rates (and, when given, where a cart with no address is
        priced). A bad value is refused naming its field (``rates.1.rate``); nothing is
        stored then."""
        authorize(actor, Action.MANAGE_SETTINGS)
        return self._write(actor, Section.TAX, lambda applied: checks.tax_settings(
            rates, default_country, default_region, applied.tax))

    def set_shipping(self, actor: Actor, rates: Sequence[checks.ShippingRateInput]
                     ) -> ShopSettings:
        """Replace the shipping rates and their zones (a rate's countries; none: every
        country no other rate lists)."""
        authorize(actor, Action.MANAGE_SETTINGS)
        return self._write(actor, Section.SHIPPING, lambda _: checks.shipping_table(rates))

    def set_fraud(self, actor: Actor, rules: checks.FraudInput) -> ShopSettings:
        """Change fraud thresholds and weights: a ``FraudRules`` replaces them all, a
        mapping changes the fields it names (durations in seconds, weights by signal)."""
        authorize(actor, Action.MANAGE_SETTINGS)
        return self._write(actor, Section.FRAUD,
                           lambda applied: checks.fraud_rules(rules, applied.fraud))

    def reset(self, actor: Actor, section: Section | str) -> ShopSettings:
        """Drop back to the section's defaults given in Python."""
        authorize(actor, Action.MANAGE_SETTINGS)
        return self._write(actor, choice(Section, section, "section"), lambda _: None)

    def _write(self, actor: Actor, section: Section,
               build: Callable[[ShopSettings], SectionValue | None]) -> ShopSettings:
        """Check the new value against the settings that apply, then store it, in one
        transaction: a refusal stores nothing, and a concurrent change of the settings is
        read before this one is built on it. (No cached copy is taken from this transaction:
        it may yet roll back.)"""
        with self._tx() as uow:
            stored = dict(uow.settings.load(for_write=True))
            value = build(self._resolve(stored))
            stored[section] = uow.settings.put(section, value, actor.user_id,
                                               self._clock.now())
        return self._resolve(stored)

    def _resolve(self, stored: Mapping[Section, StoredSection]) -> ShopSettings:
        return ShopSettings.resolve(stored, self.pricing_defaults, self.fraud_defaults)
