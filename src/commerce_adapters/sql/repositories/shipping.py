"""Shipments with their tracking trail."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository
from commerce_core.errors import Conflict, NotFound
from commerce_core.money import Money
from commerce_core.shipping.model import ServiceLevel, Shipment, ShipmentStatus, TrackingEvent

sh, te = t.shipments, t.tracking_events


def _shipment_row(s: Shipment) -> dict[str, Any]:
    return {"id": s.id, "order_id": s.order_id, "seller_id": s.seller_id,
            "item_ids": list(s.item_ids), "carrier": s.carrier,
            "service_level": s.service_level.value, "tracking_number": s.tracking_number,
            "cost": s.cost.amount, "currency": s.cost.currency, "label_url": s.label_url,
            "status": s.status.value, "created_at": s.created_at, "updated_at": s.updated_at}


class SqlShipments(SqlRepository):
    def add(self, shipment: Shipment) -> None:
        clash = self.execute(sa.select(sh.c.id).where(sa.or_(
            sh.c.id == shipment.id, sa.and_(sh.c.carrier == shipment.carrier,
                                            sh.c.tracking_number == shipment.tracking_number))
        )).first()
        if clash is not None:
            raise Conflict(f"tracking number {shipment.tracking_number} exists",
                           {"tracking_number": shipment.tracking_number})
        self.execute(sh.insert(), _shipment_row(shipment))
        self._write_events(shipment, 0)

    def _write_events(self, shipment: Shipment, start: int) -> None:
        new = shipment.events[start:]
        if new:
            self.execute(te.insert(), [
                {"shipment_id": shipment.id, "position": start + i, "status": e.status.value,
                 "occurred_at": e.occurred_at, "location": e.location,
                 "description": e.description} for i, e in enumerate(new)])

    def get(self, shipment_id: int) -> Shipment:
        row = self.one(sa.select(sh).where(sh.c.id == shipment_id))
        if row is None:
            raise NotFound(f"shipment {shipment_id} not found", {"shipment_id": shipment_id})
        return self._build([row])[0]

    def by_tracking(self, carrier: str, tracking_number: str) -> Shipment:
        row = self.one(sa.select(sh).where(sh.c.carrier == carrier,
                                           sh.c.tracking_number == tracking_number))
        if row is None:
            raise NotFound(f"no {carrier} shipment with tracking number {tracking_number}",
                           {"tracking_number": tracking_number})
        return self._build([row])[0]

    def update(self, shipment: Shipment) -> None:
        known = self.execute(sa.select(sa.func.count()).where(
            te.c.shipment_id == shipment.id)).scalar_one()
        if not self.execute(sh.update().where(sh.c.id == shipment.id)
                            .values(_shipment_row(shipment))).rowcount:
            raise NotFound(f"shipment {shipment.id} not found", {"shipment_id": shipment.id})
        self._write_events(shipment, int(known))  # the trail only grows

    def for_order(self, order_id: int) -> Sequence[Shipment]:
        return self._build(self.rows(sa.select(sh).where(sh.c.order_id == order_id)
                                     .order_by(sh.c.created_at, sh.c.id)))

    def _build(self, rows: Sequence[Any]) -> list[Shipment]:
        ids = [r.id for r in rows]
        events: dict[int, list[TrackingEvent]] = defaultdict(list)
        if ids:
            for e in self.rows(sa.select(te).where(te.c.shipment_id.in_(ids))
                               .order_by(te.c.shipment_id, te.c.position)):
                events[e.shipment_id].append(TrackingEvent(
                    ShipmentStatus(e.status), e.occurred_at, e.location, e.description))
        return [Shipment(r.id, r.order_id, r.seller_id, list(r.item_ids), r.carrier,
                         ServiceLevel(r.service_level), r.tracking_number,
                         Money(r.cost, r.currency), r.created_at, r.updated_at, r.label_url,
                         ShipmentStatus(r.status), events[r.id]) for r in rows]
