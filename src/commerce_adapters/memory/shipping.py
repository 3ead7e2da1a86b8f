"""In-memory shipments, indexed by carrier tracking number and by order."""

from __future__ import annotations

from collections.abc import Sequence

from commerce_adapters.memory.state import Journal, MemoryState, fresh
from commerce_core.errors import Conflict, NotFound
from commerce_core.shipping.model import Shipment


class MemoryShipments:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[int, Shipment] = state.table("shipments")
        self._tracking: dict[tuple[str, str], int] = state.table("tracking_numbers")
        self._by_order: dict[int, tuple[int, ...]] = state.table("order_shipments")
        self._j = journal

    def add(self, shipment: Shipment) -> None:
        key = (shipment.carrier, shipment.tracking_number)
        if shipment.id in self._rows or key in self._tracking:
            raise Conflict(f"tracking number {shipment.tracking_number} exists",
                           {"tracking_number": shipment.tracking_number})
        self._j.put(self._tracking, key, shipment.id)
        self._j.put(self._by_order, shipment.order_id,
                    (*self._by_order.get(shipment.order_id, ()), shipment.id))
        self._j.put(self._rows, shipment.id, shipment)

    def get(self, shipment_id: int) -> Shipment:
        try:
            return fresh(self._rows[shipment_id])
        except KeyError:
            raise NotFound(f"shipment {shipment_id} not found",
                           {"shipment_id": shipment_id}) from None

    def by_tracking(self, carrier: str, tracking_number: str) -> Shipment:
        shipment_id = self._tracking.get((carrier, tracking_number))
        if shipment_id is None:
            raise NotFound(f"no {carrier} shipment with tracking number {tracking_number}",
                           {"tracking_number": tracking_number})
        return self.get(shipment_id)

    def update(self, shipment: Shipment) -> None:
        self.get(shipment.id)
        self._j.put(self._rows, shipment.id, shipment)

    def for_order(self, order_id: int) -> Sequence[Shipment]:
        return [self.get(i) for i in self._by_order.get(order_id, ())]
