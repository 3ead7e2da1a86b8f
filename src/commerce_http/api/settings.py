"""Shop settings as data (admins): tax rates, shipping rates and their zones, fraud
thresholds. A tax or shipping PUT replaces the section whole, a fraud PUT changes the fields
it names; a DELETE goes back to the defaults given to ``connect()``. The next checkout, in
every worker, charges what is stored (docs/checkout.md, "Settings as data")."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

from commerce_core.accounts.policy import Role
from commerce_core.fraud.model import FraudRules
from commerce_core.pricing.rates import ShippingTable
from commerce_core.settings.model import Section, ShopSettings, TaxSettings
from commerce_http.contract.operation import Call, Operation
from commerce_http.contract.wire import AmountIn, Body, Id, Model, Text20, Text100, Timestamp

API = "/api/v1/admin/settings"
ADMINS = frozenset({Role.ADMIN})
Figure = Annotated[AmountIn, msgspec.Meta(
    description="an exact decimal, as a string (\"0.0825\"); numbers are accepted on input")]
Seconds = Annotated[int, msgspec.Meta(description="a duration in whole seconds")]


class SectionState(Model):
    """What the store holds of a section: ``stored`` False means the defaults apply."""

    stored: bool
    version: int  # raised by every write; 0: never written
    updated_at: Timestamp | None
    updated_by: Id | None


class TaxRateIn(Body):
    country: Text20
    rate: Figure
    region: Text100 = ""  # none: the whole country


class TaxIn(Body):
    rates: Annotated[list[TaxRateIn], msgspec.Meta(max_length=1000)]
    default_country: Text20 | None = None  # where a cart with no address is priced
    default_region: Text100 | None = None


class TaxRateOut(Model):
    country: str
    region: str
    rate: Decimal


class TaxOut(Model):
    rates: list[TaxRateOut]
    default_country: str
    default_region: str
    state: SectionState


class ShippingRateIn(Body):
    kind: Literal["flat", "by_weight"]
    amount: Figure
    per_kg: Figure | None = None  # none: 0
    free_over: Figure | None = None
    countries: Annotated[list[Text20], msgspec.Meta(max_length=250)] = []  # none: elsewhere
    name: Text100 = "standard"


class ShippingIn(Body):
    rates: Annotated[list[ShippingRateIn], msgspec.Meta(max_length=100)]


class ShippingRateOut(Model):
    kind: str
    amount: Decimal
    per_kg: Decimal
    free_over: Decimal | None
    countries: list[str]
    name: str


class ShippingOut(Model):
    rates: list[ShippingRateOut]
    state: SectionState


class FraudIn(Body):
    """Only the fields given change."""

    velocity_window: Seconds | None = None
    velocity_limit: int | None = None
    high_amount: Figure | None = None
    new_account_age: Seconds | None = None
    new_account_amount: Figure | None = None
    failure_window: Seconds | None = None
    failure_limit: int | None = None
    weights: dict[Text100, int] | None = None  # by signal name
    hold_at: int | None = None


class FraudOut(Model):
    velocity_window: int
    velocity_limit: int
    high_amount: Decimal
    new_account_age: int
    new_account_amount: Decimal
    failure_window: int
    failure_limit: int
    weights: dict[str, int]
    hold_at: int
    state: SectionState


class SettingsOut(Model):
    tax: TaxOut
    shipping: ShippingOut
    fraud: FraudOut


def _state(s: ShopSettings, section: Section) -> SectionState:
    found = s.stored.get(section)
    if found is None:
        return SectionState(stored=False, version=0, updated_at=None, updated_by=None)
    return SectionState(stored=found.value is not None, version=found.version,
                        updated_at=found.updated_at,
                        # no account behind it (the CLI's local operator): None
                        updated_by=Id(found.updated_by) if found.updated_by else None)


def _tax(s: ShopSettings) -> TaxOut:
    t: TaxSettings = s.tax
    return TaxOut(rates=[TaxRateOut(country=r.country, region=r.region, rate=r.rate)
                         for r in t.rates], default_country=t.default_country,
                  default_region=t.default_region, state=_state(s, Section.TAX))


def _shipping(s: ShopSettings) -> ShippingOut:
    table: ShippingTable = s.shipping
    return ShippingOut(rates=[ShippingRateOut(
        kind=r.kind.value, amount=r.amount, per_kg=r.per_kg, free_over=r.free_over,
        countries=sorted(r.countries), name=r.name) for r in table.rates],
        state=_state(s, Section.SHIPPING))


def _fraud(s: ShopSettings) -> FraudOut:
    f: FraudRules = s.fraud
    return FraudOut(velocity_window=int(f.velocity_window.total_seconds()),
                    velocity_limit=f.velocity_limit, high_amount=f.high_amount,
                    new_account_age=int(f.new_account_age.total_seconds()),
                    new_account_amount=f.new_account_amount,
                    failure_window=int(f.failure_window.total_seconds()),
                    failure_limit=f.failure_limit,
                    weights={k.value: v for k, v in f.weights.items()}, hold_at=f.hold_at,
                    state=_state(s, Section.FRAUD))


def _all(call: Call[object, None]) -> SettingsOut:
    s = call.shop.settings.get(call.who())
    return SettingsOut(tax=_tax(s), shipping=_shipping(s), fraud=_fraud(s))


def _set_tax(call: Call[object, TaxIn]) -> TaxOut:
    body = call.body
    return _tax(call.shop.settings.set_tax(
        call.who(), [msgspec.structs.asdict(r) for r in body.rates],
        default_country=body.default_country, default_region=body.default_region))


def _set_shipping(call: Call[object, ShippingIn]) -> ShippingOut:
    return _shipping(call.shop.settings.set_shipping(
        call.who(), [msgspec.structs.asdict(r) for r in call.body.rates]))


def _set_fraud(call: Call[object, FraudIn]) -> FraudOut:
    given: dict[str, Any] = {k: v for k, v in msgspec.structs.asdict(call.body).items()
                             if v is not None}
    return _fraud(call.shop.settings.set_fraud(call.who(), given))


_RENDER = {Section.TAX: (_tax, TaxOut), Section.SHIPPING: (_shipping, ShippingOut),
           Section.FRAUD: (_fraud, FraudOut)}


def _section_ops(section: Section) -> tuple[Operation[Any, Any, Any], ...]:
    render, out = _RENDER[section]
    name = section.value

    def read(call: Call[object, None]) -> Any:
        return render(call.shop.settings.get(call.who()))

    def reset(call: Call[object, None]) -> Any:
        return render(call.shop.settings.reset(call.who(), section))
    return (
        Operation("GET", f"{API}/{name}", f"get_{name}_settings",
                  f"The {name} settings that apply, and whether they are stored", read,
                  response=out, roles=ADMINS, tag="admin"),
        Operation("DELETE", f"{API}/{name}", f"reset_{name}_settings",
                  f"Back to the {name} defaults the shop was started with", reset,
                  response=out, roles=ADMINS, tag="admin"))


get_settings = Operation("GET", API, "get_settings",
                         "Tax, shipping and fraud settings as they apply now", _all,
                         response=SettingsOut, roles=ADMINS, tag="admin")
set_tax = Operation("PUT", f"{API}/tax", "set_tax_settings",
                    "Replace the tax rates (by country and region) and the default place",
                    _set_tax, body=TaxIn, response=TaxOut, roles=ADMINS, tag="admin")
set_shipping = Operation("PUT", f"{API}/shipping", "set_shipping_settings",
                         "Replace the shipping rates and their zones", _set_shipping,
                         body=ShippingIn, response=ShippingOut, roles=ADMINS, tag="admin")
set_fraud = Operation("PUT", f"{API}/fraud", "set_fraud_settings",
                      "Change the fraud thresholds and weights named", _set_fraud,
                      body=FraudIn, response=FraudOut, roles=ADMINS, tag="admin")

_BY_SECTION = {s: _section_ops(s) for s in Section}
READ = {s.value: ops[0] for s, ops in _BY_SECTION.items()}   # by section name
RESET = {s.value: ops[1] for s, ops in _BY_SECTION.items()}

OPERATIONS: tuple[Operation[Any, Any, Any], ...] = (
    get_settings, set_tax, set_shipping, set_fraud,
    *(op for ops in _BY_SECTION.values() for op in ops))
