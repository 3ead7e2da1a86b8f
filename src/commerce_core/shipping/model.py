"""Parcels, quotes, shipments and their tracking events."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from commerce_core.address import Address
from commerce_core.errors import InvalidTransition
from commerce_core.money import Money


class ServiceLevel(enum.StrEnum):
    STANDARD = "standard"
    EXPRESS = "express"
    OVERNIGHT = "overnight"


class ShipmentStatus(enum.StrEnum):
    LABEL_CREATED = "LABEL_CREATED"
    IN_TRANSIT = "IN_TRANSIT"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


# Tracking may skip steps (a carrier may report DELIVERED first) but never go back.
_RANK = {ShipmentStatus.LABEL_CREATED: 0, ShipmentStatus.IN_TRANSIT: 1,
         ShipmentStatus.OUT_FOR_DELIVERY: 2, ShipmentStatus.DELIVERED: 3}
MOVING = frozenset({ShipmentStatus.IN_TRANSIT, ShipmentStatus.OUT_FOR_DELIVERY,
                    ShipmentStatus.DELIVERED})


@attrs.frozen
class Parcel:
    weight_grams: int
    destination: Address
    currency: str = "USD"


@attrs.frozen
class Quote:
    carrier: str
    service_level: ServiceLevel
    price: Money
    estimated_days: int


@attrs.frozen
class Label:
    tracking_number: str
    label_url: str = ""


@attrs.frozen
class TrackingEvent:
    status: ShipmentStatus
    occurred_at: datetime
    location: str = ""
    description: str = ""


@attrs.define
class Shipment:
    id: int
    order_id: int
    seller_id: int
    item_ids: list[int]
    carrier: str
    service_level: ServiceLevel
    tracking_number: str
    cost: Money
    created_at: datetime
    updated_at: datetime
    label_url: str = ""
    status: ShipmentStatus = ShipmentStatus.LABEL_CREATED
    events: list[TrackingEvent] = attrs.field(factory=list)

    def track(self, event: TrackingEvent) -> bool:
        """Apply a carrier's event; False for a repeat or an older step (nothing changes)."""
        if event in self.events:
            return False
        if self.status is ShipmentStatus.CANCELLED:
            raise InvalidTransition(f"shipment {self.id} was cancelled", {"status": "CANCELLED"})
        self.events.append(event)
        self.updated_at = event.occurred_at
        if event.status is ShipmentStatus.CANCELLED or _RANK[event.status] <= _RANK[self.status]:
            return False
        self.status = event.status
        return True

    def cancel(self, now: datetime) -> None:
        if self.status is not ShipmentStatus.LABEL_CREATED:
            raise InvalidTransition(f"shipment {self.id} is {self.status} and can no longer "
                                    "be cancelled", {"status": self.status.value})
        self.status = ShipmentStatus.CANCELLED
        self.updated_at = now
