"""Input checks for settings: every value an admin gives is checked before anything is
stored, and a refusal names the field by its path (``rates.2.rate``).

Each entry may be the domain value (``TaxRate``, ``ShippingRate``, ``FraudRules``) or a plain
mapping of the same fields, as a request body holds them; both get the same checks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from commerce_core.errors import ValidationError
from commerce_core.fraud.model import FraudRules, Signal
from commerce_core.money import MAX_AMOUNT
from commerce_core.pricing.rates import ShippingKind, ShippingRate, ShippingTable, TaxRate
from commerce_core.settings.model import TaxSettings
from commerce_core.validation import choice, text, whole_number

MAX_TAX_RATES = 1000      # every region of every country a shop sells to, with room
MAX_SHIPPING_RATES = 100
MAX_COUNTRIES = 250       # ISO 3166-1 has 249
_PLAIN = re.compile(r"[0-9]+(\.[0-9]+)?\Z")  # no sign: every figure here is >= 0
_LONGEST = timedelta(days=3650)

TaxRateInput = TaxRate | Mapping[str, Any]
ShippingRateInput = ShippingRate | Mapping[str, Any]
FraudInput = FraudRules | Mapping[str, Any]


def _bad(field: str, problem: str, message: str | None = None) -> ValidationError:
    return ValidationError(message or f"{field} {problem}", {field: problem})


def country_code(field: str, value: object) -> str:
    """An ISO 3166-1 alpha-2 code (two ASCII letters), upper-cased."""
    if not isinstance(value, str):
        raise _bad(field, "must be a two-letter country code")
    code = value.strip().upper()
    if len(code) != 2 or not (code.isascii() and code.isalpha()):
        raise _bad(field, "must be a two-letter country code",
                   f"{field} must be a two-letter country code (ISO 3166-1), not {value!r}")
    return code


def region_code(field: str, value: object) -> str:
    return text(field, value, 100).strip().upper()


def figure(field: str, value: object, *, below: Decimal | None = None,
           places: int = 4) -> Decimal:
    """A decimal >= 0 (and < ``below``) with at most ``places`` decimals: a Decimal, an int
    or a plain decimal string; never a float (binary noise) nor a bool."""
    if isinstance(value, bool | float) or not isinstance(value, Decimal | int | str):
        raise _bad(field, "must be a decimal number (a string like \"0.0825\")")
    if isinstance(value, str) and not _PLAIN.match(value):
        raise _bad(field, "must be a plain decimal number >= 0")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise _bad(field, "must be a decimal number") from None
    if not number.is_finite() or number < 0:
        raise _bad(field, "must be >= 0")
    if below is not None and number >= below:
        raise _bad(field, f"must be below {below}")
    if number >= MAX_AMOUNT:
        raise _bad(field, f"must be below {MAX_AMOUNT:,}")
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise _bad(field, f"must have at most {places} decimals")
    return number


def duration(field: str, value: object, minimum: timedelta) -> timedelta:
    """A timedelta, or whole seconds, within [minimum, ten years]."""
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
        if seconds != int(seconds):
            raise _bad(field, "must be whole seconds")
        value = int(seconds)
    low, high = int(minimum.total_seconds()), int(_LONGEST.total_seconds())
    return timedelta(seconds=whole_number(field, value, low, high))


def _fields(field: str, item: object, cls: type[Any], names: Sequence[str]) -> dict[str, Any]:
    """The entry as a mapping of ``names``: an instance of ``cls`` field by field, or a
    mapping with no key outside ``names``."""
    if isinstance(item, cls):
        return {name: getattr(item, name) for name in names}
    if not isinstance(item, Mapping):
        raise _bad(field, "must be an object")
    unknown = sorted(str(k) for k in item if k not in names)
    if unknown:
        raise _bad(f"{field}.{unknown[0]}", "is not a known field")
    return dict(item)


def _entries(field: str, items: object, limit: int) -> Sequence[object]:
    if not isinstance(items, list | tuple):
        raise _bad(field, "must be a list")
    if len(items) > limit:
        raise _bad(field, f"must hold at most {limit} entries")
    return items


def tax_settings(rates: Sequence[TaxRateInput], default_country: object,
                 default_region: object, current: TaxSettings) -> TaxSettings:
    """Tax rates (one per country and region), and the default place (None: unchanged)."""
    checked: list[TaxRate] = []
    seen: set[tuple[str, str]] = set()
    for n, item in enumerate(_entries("rates", rates, MAX_TAX_RATES)):
        field = f"rates.{n}"
        raw = _fields(field, item, TaxRate, ("country", "region", "rate"))
        if "country" not in raw or "rate" not in raw:
            missing = "country" if "country" not in raw else "rate"
            raise _bad(f"{field}.{missing}", "is required")
        rate = TaxRate(country_code(f"{field}.country", raw["country"]),
                       figure(f"{field}.rate", raw["rate"], below=Decimal(1), places=6),
                       region_code(f"{field}.region", raw.get("region", "")))
        if (rate.country, rate.region) in seen:
            where = rate.country + (f"/{rate.region}" if rate.region else "")
            raise _bad(field, f"repeats the rate of {where}")
        seen.add((rate.country, rate.region))
        checked.append(rate)
    country = (current.default_country if default_country is None
               else country_code("default_country", default_country))
    region = (current.default_region if default_region is None
              else region_code("default_region", default_region))
    return TaxSettings(tuple(checked), country, region)


_SHIPPING_FIELDS = ("kind", "amount", "per_kg", "free_over", "countries", "name")


def shipping_table(rates: Sequence[ShippingRateInput]) -> ShippingTable:
    """Shipping rates, each for a zone (its countries) or for everywhere else (no
    countries); a country in two zones, or two catch-alls, would be ambiguous."""
    checked: list[ShippingRate] = []
    zoned: set[str] = set()
    catch_all = False
    for n, item in enumerate(_entries("rates", rates, MAX_SHIPPING_RATES)):
        field = f"rates.{n}"
        raw = _fields(field, item, ShippingRate, _SHIPPING_FIELDS)
        for required in ("kind", "amount"):
            if required not in raw:
                raise _bad(f"{field}.{required}", "is required")
        countries = raw.get("countries") or ()
        if isinstance(countries, set | frozenset):  # a ShippingRate's own
            countries = sorted(countries)
        codes = frozenset(country_code(f"{field}.countries.{i}", c) for i, c in
                          enumerate(_entries(f"{field}.countries", countries, MAX_COUNTRIES)))
        if codes & zoned:
            raise _bad(f"{field}.countries",
                       f"lists {sorted(codes & zoned)[0]}, already in another zone")
        if not codes and catch_all:
            raise _bad(f"{field}.countries", "is empty in a second rate (one catch-all)")
        zoned |= codes
        catch_all = catch_all or not codes
        free_over = raw.get("free_over")
        checked.append(ShippingRate(
            choice(ShippingKind, raw["kind"], f"{field}.kind"),
            figure(f"{field}.amount", raw["amount"]),
            figure(f"{field}.per_kg", raw.get("per_kg") or Decimal(0)),
            None if free_over is None else figure(f"{field}.free_over", free_over),
            codes, text(f"{field}.name", raw.get("name", "standard"), 100, required=True)))
    return ShippingTable(tuple(checked))


_DURATIONS = {"velocity_window": timedelta(minutes=1), "new_account_age": timedelta(0),
              "failure_window": timedelta(minutes=1)}
_COUNTS = ("velocity_limit", "failure_limit")
_AMOUNTS = ("high_amount", "new_account_amount")
_FRAUD_FIELDS = (*_DURATIONS, *_COUNTS, *_AMOUNTS, "weights", "hold_at")


def fraud_rules(given: FraudInput, current: FraudRules) -> FraudRules:
    """Fraud thresholds and weights; a field not given keeps its ``current`` value."""
    raw = _fields("fraud", given, FraudRules, _FRAUD_FIELDS)
    if not raw and not isinstance(given, FraudRules):
        raise _bad("fraud", "names no field to change")
    changes: dict[str, Any] = {}
    for name, minimum in _DURATIONS.items():
        if name in raw:
            changes[name] = duration(name, raw[name], minimum)
    for name in _COUNTS:
        if name in raw:
            changes[name] = whole_number(name, raw[name], 1, 1_000_000)
    for name in _AMOUNTS:
        if name in raw:
            changes[name] = figure(name, raw[name])
    if "hold_at" in raw:
        changes["hold_at"] = whole_number("hold_at", raw["hold_at"], 1, 100)
    if "weights" in raw:
        changes["weights"] = _weights(raw["weights"], current.weights)
    return attrs.evolve(current, **changes)


def _weights(given: object, current: Mapping[Signal, int]) -> dict[Signal, int]:
    """Weights by signal name; signals not named keep their current weight."""
    if not isinstance(given, Mapping):
        raise _bad("weights", "must be an object of signal names and weights")
    weights = dict(current)
    for name, weight in given.items():
        signal = choice(Signal, name, "weights")
        weights[signal] = whole_number(f"weights.{signal.value}", weight, 0, 100)
    return weights
