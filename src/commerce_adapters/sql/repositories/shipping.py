"""Shipments with their tracking trail; notification messages and preferences."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository
from commerce_core.errors import Conflict, NotFound
from commerce_core.money import Money
from commerce_core.notifications.model import (
    Channel,
    DeliveryStatus,
    Message,
    NotificationType,
    Preferences,
)
from commerce_core.pagination import Page, PageRequest
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
        clash = self.c.execute(sa.select(sh.c.id).where(sa.or_(
            sh.c.id == shipment.id, sa.and_(sh.c.carrier == shipment.carrier,
                                            sh.c.tracking_number == shipment.tracking_number))
        )).first()
        if clash is not None:
            raise Conflict(f"tracking number {shipment.tracking_number} exists",
                           {"tracking_number": shipment.tracking_number})
        self.c.execute(sh.insert(), _shipment_row(shipment))
        self._write_events(shipment, 0)

    def _write_events(self, shipment: Shipment, start: int) -> None:
        new = shipment.events[start:]
        if new:
            self.c.execute(te.insert(), [
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
        known = self.c.execute(sa.select(sa.func.count()).where(
            te.c.shipment_id == shipment.id)).scalar_one()
        if not self.c.execute(sh.update().where(sh.c.id == shipment.id)
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


n = t.notifications


def _message_row(m: Message) -> dict[str, Any]:
    return {"id": m.id, "event_id": m.event_id, "user_id": m.user_id, "type": m.type.value,
            "channel": m.channel.value, "recipient": m.recipient, "subject": m.subject[:255],
            "body": m.body, "status": m.status.value, "attempts": m.attempts,
            "last_error": m.last_error, "created_at": m.created_at,
            "next_attempt_at": m.next_attempt_at, "sent_at": m.sent_at, "read_at": m.read_at}


def _message(r: Any) -> Message:
    return Message(r.id, r.event_id, r.user_id, NotificationType(r.type), Channel(r.channel),
                   r.recipient, r.subject, r.body, r.created_at, r.next_attempt_at,
                   DeliveryStatus(r.status), r.attempts, r.last_error, r.sent_at, r.read_at)


class SqlNotifications(SqlRepository):
    def add(self, message: Message) -> bool:
        return self.insert_ignore(n, _message_row(message))

    def get(self, message_id: int) -> Message:
        row = self.one(sa.select(n).where(n.c.id == message_id))
        if row is None:
            raise NotFound(f"notification {message_id} not found",
                           {"notification_id": message_id})
        return _message(row)

    def update(self, message: Message) -> None:
        if not self.c.execute(n.update().where(n.c.id == message.id)
                              .values(_message_row(message))).rowcount:
            raise NotFound(f"notification {message.id} not found",
                           {"notification_id": message.id})

    def due(self, now: datetime, limit: int) -> Sequence[Message]:
        stmt = (sa.select(n).where(n.c.status == DeliveryStatus.PENDING.value,
                                   n.c.next_attempt_at <= now)
                .order_by(n.c.next_attempt_at, n.c.id).limit(limit))
        if self.dialect == "postgresql" and not self._uow.read_only:
            stmt = stmt.with_for_update(skip_locked=True)  # workers claim disjoint batches
        return [_message(r) for r in self.rows(stmt)]

    def find(self, user_id: int | None, status: DeliveryStatus | None, channel: str | None,
             unread_only: bool, page: PageRequest) -> Page[Message]:
        stmt = sa.select(n)
        if user_id is not None:
            stmt = stmt.where(n.c.user_id == user_id)
        if status is not None:
            stmt = stmt.where(n.c.status == status.value)
        if channel is not None:
            stmt = stmt.where(n.c.channel == channel)
        if unread_only:
            stmt = stmt.where(n.c.read_at.is_(None))
        return self.page(stmt.order_by(n.c.created_at.desc(), n.c.id.desc()), page,
                         lambda rows: [_message(r) for r in rows])

    def preferences(self, user_id: int) -> Preferences | None:
        p = t.notification_preferences
        row = self.c.execute(sa.select(p).where(p.c.user_id == user_id)).first()
        return None if row is None else Preferences(
            user_id, frozenset(Channel(c) for c in row.channels))

    def set_preferences(self, preferences: Preferences) -> None:
        p = t.notification_preferences
        channels = sorted(c.value for c in preferences.channels)
        if not self.c.execute(p.update().where(p.c.user_id == preferences.user_id)
                              .values(channels=channels)).rowcount:
            self.c.execute(p.insert(), {"user_id": preferences.user_id, "channels": channels})
