"""Shop settings: one row per section, its value as JSON and a version raised by every
write. Every checkout reads the versions (one small statement); the values only when one
changed (``SettingsService.current``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository
from commerce_core.fraud.model import FraudRules, Signal
from commerce_core.pricing.rates import ShippingKind, ShippingRate, ShippingTable, TaxRate
from commerce_core.settings.model import Section, SectionValue, StoredSection, TaxSettings

_s = t.shop_settings
_VERSIONS = sa.select(_s.c.section, _s.c.version)  # built once: it runs per checkout
_LOAD = sa.select(_s)
_LOCK_FOR_WRITE = sa.text(f"LOCK TABLE {_s.name} IN SHARE ROW EXCLUSIVE MODE")
_SECTIONS = {s.value: s for s in Section}


def _upsert(dialect: str) -> Any:
    """Insert the section at version 1, or raise its version by one: atomic on both
    engines (a concurrent writer of the section waits on its row, then adds its own one)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(_s)
    return stmt.on_conflict_do_update(
        index_elements=[_s.c.section],
        set_={"data": stmt.excluded.data, "version": _s.c.version + 1,
              "updated_at": stmt.excluded.updated_at, "updated_by": stmt.excluded.updated_by},
    ).returning(_s.c.version)


_UPSERTS = {d: _upsert(d) for d in ("postgresql", "sqlite")}


# Rows <-> values --------------------------------------------------------------------------
def _tax_data(v: TaxSettings) -> dict[str, Any]:
    return {"rates": [{"country": r.country, "region": r.region, "rate": str(r.rate)}
                      for r in v.rates],
            "default_country": v.default_country, "default_region": v.default_region}


def _tax(d: Mapping[str, Any]) -> TaxSettings:
    return TaxSettings(tuple(TaxRate(r["country"], Decimal(r["rate"]), r["region"])
                             for r in d["rates"]), d["default_country"], d["default_region"])


def _shipping_data(v: ShippingTable) -> dict[str, Any]:
    return {"rates": [{"kind": r.kind.value, "amount": str(r.amount), "per_kg": str(r.per_kg),
                       "free_over": None if r.free_over is None else str(r.free_over),
                       "countries": sorted(r.countries), "name": r.name} for r in v.rates]}


def _shipping(d: Mapping[str, Any]) -> ShippingTable:
    return ShippingTable(tuple(
        ShippingRate(ShippingKind(r["kind"]), Decimal(r["amount"]), Decimal(r["per_kg"]),
                     None if r["free_over"] is None else Decimal(r["free_over"]),
                     frozenset(r["countries"]), r["name"]) for r in d["rates"]))


def _fraud_data(v: FraudRules) -> dict[str, Any]:
    return {"velocity_window": v.velocity_window.total_seconds(),
            "velocity_limit": v.velocity_limit, "high_amount": str(v.high_amount),
            "new_account_age": v.new_account_age.total_seconds(),
            "new_account_amount": str(v.new_account_amount),
            "failure_window": v.failure_window.total_seconds(),
            "failure_limit": v.failure_limit,
            "weights": {s.value: w for s, w in v.weights.items()}, "hold_at": v.hold_at}


def _fraud(d: Mapping[str, Any]) -> FraudRules:
    return FraudRules(timedelta(seconds=d["velocity_window"]), d["velocity_limit"],
                      Decimal(d["high_amount"]), timedelta(seconds=d["new_account_age"]),
                      Decimal(d["new_account_amount"]), timedelta(seconds=d["failure_window"]),
                      d["failure_limit"], {Signal(s): w for s, w in d["weights"].items()},
                      d["hold_at"])


_DECODE: dict[Section, Callable[[Mapping[str, Any]], SectionValue]] = {
    Section.TAX: _tax, Section.SHIPPING: _shipping, Section.FRAUD: _fraud}


def _encode(value: SectionValue | None) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, TaxSettings):
        return _tax_data(value)
    if isinstance(value, ShippingTable):
        return _shipping_data(value)
    return _fraud_data(value)


class SqlSettings(SqlRepository):
    def versions(self) -> Mapping[Section, int]:
        beside = self._uow.read_ahead().with_cart  # read with the cart (checkout)
        found: Iterable[tuple[str, int]] = (
            beside.settings_versions.items() if beside is not None
            else ((r.section, r.version) for r in self.execute(_VERSIONS)))
        return {_SECTIONS[name]: version for name, version in found
                if name in _SECTIONS}  # a section of a newer release is not ours to read

    def load(self, for_write: bool = False) -> Mapping[Section, StoredSection]:
        if for_write and self.dialect == "postgresql":
            # A section may have no row yet, so no row lock can cover it: lock the table
            # against other writers only (SHARE ROW EXCLUSIVE lets plain SELECTs through).
            # SQLite's writers already queue at BEGIN IMMEDIATE.
            self.execute(_LOCK_FOR_WRITE)
        found = {}
        for r in self.execute(_LOAD):
            section = _SECTIONS.get(r.section)
            if section is not None:
                value = None if r.data is None else _DECODE[section](r.data)
                found[section] = StoredSection(section, value, r.version, r.updated_at,
                                               r.updated_by)
        return found

    def put(self, section: Section, value: SectionValue | None, by: int | None,
            now: datetime) -> StoredSection:
        version = self.execute(_UPSERTS[self.dialect], {
            "section": section.value, "data": _encode(value), "version": 1,
            "updated_at": now, "updated_by": by}).scalar_one()
        return StoredSection(section, value, int(version), now, by)
