"""Carriers and shipment storage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from commerce_core.shipping.model import Label, Parcel, Quote, ServiceLevel, Shipment


class Carrier(Protocol):
    @property
    def name(self) -> str:
        """Stable name, stored on shipments (``table-rate``, ``ups``...)."""
        ...

    def quote(self, parcel: Parcel) -> Sequence[Quote]:
        """Prices for each service level this carrier offers to the destination."""
        ...

    def create_label(self, parcel: Parcel, level: ServiceLevel, reference: str) -> Label:
        """Buy a label; the tracking number is unique per carrier."""
        ...


class ShipmentRepository(Protocol):
    def add(self, shipment: Shipment) -> None:
        """Store a new shipment; Conflict if its tracking number exists for the carrier."""
        ...

    def get(self, shipment_id: int) -> Shipment:
        """NotFound if absent."""
        ...

    def by_tracking(self, carrier: str, tracking_number: str) -> Shipment:
        """NotFound if absent."""
        ...

    def update(self, shipment: Shipment) -> None:
        """Replace a shipment; NotFound if absent."""
        ...

    def for_order(self, order_id: int) -> Sequence[Shipment]:
        """The order's shipments, oldest first."""
        ...
