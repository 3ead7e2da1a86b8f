"""Contract of the ShipmentRepository port (shipping/ports.py)."""

from __future__ import annotations

import pytest

from commerce_core.errors import Conflict, NotFound
from commerce_core.money import Money
from commerce_core.shipping.model import ServiceLevel, Shipment
from tests.contract.conftest import Backend


def test_shipments_by_tracking_number_and_order(backend: Backend) -> None:
    now, usd = backend.clock.now(), Money("5", "USD")

    def shipment(order: int, carrier: str, number: str) -> Shipment:
        return Shipment(backend.ids.next_id(), order, 7, [1], carrier,
                        ServiceLevel.STANDARD, number, usd, now, now)

    first, second = shipment(1, "ups", "T1"), shipment(1, "dhl", "T1")
    with backend.storage.uow_factory() as uow:
        uow.shipments.add(first)
        uow.shipments.add(second)  # tracking numbers are unique per carrier only
        with pytest.raises(Conflict):
            uow.shipments.add(shipment(2, "ups", "T1"))
        assert uow.shipments.by_tracking("dhl", "T1").id == second.id
        assert [s.id for s in uow.shipments.for_order(1)] == [first.id, second.id]
        with pytest.raises(NotFound):
            uow.shipments.by_tracking("ups", "T2")
