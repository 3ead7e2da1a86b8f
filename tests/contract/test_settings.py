"""Contract of the SettingsRepository port (settings/ports.py): sections, versions, rollback."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

from commerce_core.fraud.model import FraudRules, Signal
from commerce_core.pricing.rates import ShippingKind, ShippingRate, ShippingTable, TaxRate
from commerce_core.settings.model import Section, TaxSettings
from tests.contract.conftest import Backend

TAX = TaxSettings((TaxRate("US", Decimal("0.0825")), TaxRate("US", Decimal("0.0725"), "CA")),
                  "US", "TX")
SHIPPING = ShippingTable((
    ShippingRate(ShippingKind.FLAT, Decimal("4.99"), free_over=Decimal("50"),
                 countries=frozenset({"US", "CA"}), name="domestic"),
    ShippingRate(ShippingKind.BY_WEIGHT, Decimal("12"), per_kg=Decimal("2.5"))))
FRAUD = FraudRules(velocity_window=timedelta(minutes=30), velocity_limit=5,
                   high_amount=Decimal("2500.50"), new_account_age=timedelta(days=2),
                   failure_limit=4, weights={Signal.VELOCITY: 10, Signal.HIGH_AMOUNT: 70},
                   hold_at=70)


def test_nothing_is_stored_until_a_first_write(backend: Backend) -> None:
    with backend.uow(read_only=True) as uow:
        assert uow.settings.versions() == {}
        assert uow.settings.load() == {}


def test_each_section_reads_back_as_written(backend: Backend) -> None:
    now = backend.clock.now()
    with backend.uow() as uow:
        for section, value in ((Section.TAX, TAX), (Section.SHIPPING, SHIPPING),
                               (Section.FRAUD, FRAUD)):
            stored = uow.settings.put(section, value, 1, now)
            assert (stored.version, stored.value, stored.updated_by) == (1, value, 1)
        uow.commit()
    with backend.uow(read_only=True) as uow:
        found = uow.settings.load()
        assert uow.settings.versions() == {Section.TAX: 1, Section.SHIPPING: 1,
                                           Section.FRAUD: 1}
    assert (found[Section.TAX].value, found[Section.SHIPPING].value,
            found[Section.FRAUD].value) == (TAX, SHIPPING, FRAUD)
    assert found[Section.TAX].updated_at == now and found[Section.FRAUD].updated_by == 1


def test_every_write_raises_the_version_by_one_and_a_reset_keeps_counting(backend: Backend
                                                                         ) -> None:
    now = backend.clock.now()
    with backend.uow() as uow:
        uow.settings.put(Section.TAX, TAX, 1, now)
        uow.commit()
    with backend.uow() as uow:
        assert uow.settings.put(Section.TAX, None, 2, now).version == 2  # reset
        assert uow.settings.put(Section.SHIPPING, SHIPPING, None, now).version == 1
        uow.commit()
    with backend.uow() as uow:
        later = now + timedelta(minutes=5)
        assert uow.settings.put(Section.TAX, TaxSettings(), 3, later).version == 3
        uow.commit()
    with backend.uow(read_only=True) as uow:
        found = uow.settings.load()
        assert uow.settings.versions() == {Section.TAX: 3, Section.SHIPPING: 1}
    assert found[Section.TAX].value == TaxSettings()
    assert (found[Section.TAX].updated_by, found[Section.SHIPPING].updated_by) == (3, None)


def test_a_reset_section_reads_as_no_value(backend: Backend) -> None:
    with backend.uow() as uow:
        uow.settings.put(Section.FRAUD, FRAUD, 1, backend.clock.now())
        uow.settings.put(Section.FRAUD, None, 1, backend.clock.now())
        uow.commit()
    with backend.uow(read_only=True) as uow:
        stored = uow.settings.load()[Section.FRAUD]
    assert (stored.value, stored.version) == (None, 2)


def test_a_rolled_back_write_leaves_value_and_version(backend: Backend) -> None:
    now = backend.clock.now()
    with backend.uow() as uow:
        uow.settings.put(Section.TAX, TAX, 1, now)
        uow.commit()
    with backend.uow() as uow:
        uow.settings.put(Section.TAX, TaxSettings(), 1, now)
        uow.settings.put(Section.FRAUD, FRAUD, 1, now)
        uow.rollback()
    with backend.uow(read_only=True) as uow:
        assert uow.settings.versions() == {Section.TAX: 1}
        assert uow.settings.load()[Section.TAX].value == TAX


def test_a_load_for_writing_waits_for_the_other_writer_of_the_settings(backend: Backend
                                                                     ) -> None:
    """Two admins changing one section: the second reads after the first commits, so a
    change built on what it read (a fraud field) never drops the first one's."""
    first_read, seen = threading.Event(), []

    def first() -> None:
        with backend.uow() as uow:
            uow.settings.load(for_write=True)
            first_read.set()
            threading.Event().wait(0.3)  # the second writer is waiting by now
            uow.settings.put(Section.FRAUD, FRAUD, 1, backend.clock.now())
            uow.commit()

    def second() -> None:
        assert first_read.wait(10)
        with backend.uow() as uow:
            seen.append(uow.settings.load(for_write=True).get(Section.FRAUD))
            uow.rollback()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert seen and seen[0] is not None and (seen[0].version, seen[0].value) == (1, FRAUD)
