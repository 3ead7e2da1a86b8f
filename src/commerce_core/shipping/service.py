"""Shipping use cases: quotes, a seller's shipments of their items, tracking and delivery.

Tracking events (from a carrier's webhook or poller) move the shipment's items and the
order: the first movement ships them, delivery delivers them and invites a review.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import attrs

from commerce_core.accounts.policy import Action, Actor, allowed, authorize
from commerce_core.address import Address
from commerce_core.clock import Clock
from commerce_core.errors import Conflict, NotFound, ValidationError
from commerce_core.events import (
    DomainEvent,
    OrderChanged,
    OrderDelivered,
    OrderShipped,
    ReviewRequested,
)
from commerce_core.ids import IdGenerator
from commerce_core.orders.model import Order, OrderItem, OrderStatus
from commerce_core.shipping.model import (
    MOVING,
    Parcel,
    Quote,
    ServiceLevel,
    Shipment,
    ShipmentStatus,
    TrackingEvent,
)
from commerce_core.shipping.ports import Carrier
from commerce_core.uow import Transactions, UnitOfWork
from commerce_core.validation import choice, text

# processed-events group of a carrier's callbacks: ``carrier:<name>``
CARRIER_GROUP = "carrier:"
CLOCK_SKEW = timedelta(minutes=5)


@attrs.frozen
class TrackingOutcome:
    event_id: str
    applied: bool                 # False: this event id was applied before
    shipment: Shipment
    order_status: OrderStatus


class ShippingService:
    def __init__(self, tx: Transactions, carriers: Sequence[Carrier], ids: IdGenerator,
                 clock: Clock) -> None:
        if not carriers:
            raise ValueError("at least one carrier is needed")
        self._tx = tx
        self._carriers: Mapping[str, Carrier] = {c.name: c for c in carriers}
        self._default = carriers[0].name
        self._ids = ids
        self._clock = clock

    def quote(self, destination: Address, weight_grams: int,
              currency: str = "USD") -> list[Quote]:
        """Every carrier's price per service level, cheapest first."""
        if weight_grams < 0:
            raise ValidationError("weight must not be negative", {"weight_grams": ">= 0"})
        parcel = Parcel(weight_grams, destination, currency)
        quotes = [q for c in self._carriers.values() for q in c.quote(parcel)]
        return sorted(quotes, key=lambda q: (q.price.amount, q.estimated_days))

    def create_shipment(self, actor: Actor, order_id: int, item_ids: Sequence[int] | None = None,
                        *, service_level: ServiceLevel | str = ServiceLevel.STANDARD,
                        carrier: str | None = None) -> Shipment:
        """Ship a seller's confirmed items of an order (all of theirs when none are named).

        Refused while the order is held for fraud review; an item ships only once.
        """
        level = _level(service_level)
        chosen = self._carrier(carrier)
        with self._tx.read() as uow:
            order = uow.orders.get(order_id)
            items = self._shippable(uow, actor, order, item_ids)
        seller_id = items[0].seller_id
        with self._tx.catalog_read() as catalog:
            variants = catalog.products.get_variants([i.variant_id for i in items])
        weight = sum(variants[i.variant_id].weight_grams * i.quantity
                     for i in items if i.variant_id in variants)
        parcel = Parcel(weight, order.shipping_address, order.currency)
        price = next((q.price for q in chosen.quote(parcel) if q.service_level is level), None)
        if price is None:
            raise ValidationError(f"{chosen.name} does not offer {level}",
                                  {"service_level": "not offered"})
        label = chosen.create_label(parcel, level, order.number)
        now = self._clock.now()
        shipment = Shipment(self._ids.next_id(), order_id, seller_id, [i.id for i in items],
                            chosen.name, level, label.tracking_number, price, now, now,
                            label.label_url)
        with self._tx() as uow:
            order = uow.orders.get(order_id)
            self._shippable(uow, actor, order, shipment.item_ids)  # again, now under lock
            uow.shipments.add(shipment)
            order.note("SHIPMENT_CREATED", now, f"{chosen.name} {label.tracking_number}")
            uow.orders.update(order)
            uow.record(OrderChanged(occurred_at=now, order_id=order_id))
        return shipment

    def _shippable(self, uow: UnitOfWork, actor: Actor, order: Order,
                   item_ids: Sequence[int] | None) -> list[OrderItem]:
        check = uow.fraud.find(order.id)
        if check is not None and check.blocks_shipping:
            raise Conflict(f"order {order.number} is held for fraud review",
                           {"fraud_status": check.status.value})
        if item_ids is None:
            items = [i for i in order.items if i.seller_id == actor.user_id
                     and i.status is OrderStatus.CONFIRMED]
            if not items:
                raise ValidationError("no confirmed items of yours to ship in this order",
                                      {"order_item_ids": "none"})
        else:
            items = [order.item(i) for i in dict.fromkeys(item_ids)]
            if not items:
                raise ValidationError("name at least one item", {"order_item_ids": "empty"})
        sellers = {i.seller_id for i in items}
        if len(sellers) != 1:
            raise ValidationError("a shipment holds one seller's items",
                                  {"order_item_ids": "several sellers"})
        authorize(actor, Action.SHIP_ITEMS, sellers.pop(), f"order {order.id}")
        taken = {i for s in uow.shipments.for_order(order.id)
                 if s.status is not ShipmentStatus.CANCELLED for i in s.item_ids}
        for item in items:
            if item.status is not OrderStatus.CONFIRMED or item.id in taken:
                raise Conflict(f"item {item.id} cannot ship: it is {item.status}"
                               + (" and already in a shipment" if item.id in taken else ""),
                               {"order_item_id": item.id, "status": item.status.value})
        return items

    def record_tracking(self, carrier: str, tracking_number: str,
                        status: ShipmentStatus | str, occurred_at: datetime | None = None,
                        location: str = "", description: str = "") -> Shipment:
        """Apply a carrier's tracking event (trusted: a verified webhook or poller).

        Repeats and stale events are recorded once and change nothing else.
        """
        event = TrackingEvent(choice(ShipmentStatus, status, "status"),
                              occurred_at or self._clock.now(), location, description)
        with self._tx() as uow:
            return self._track(uow, uow.shipments.by_tracking(carrier, tracking_number), event)

    def record_carrier_event(self, carrier: str, event_id: str, tracking_number: str,
                             status: ShipmentStatus | str, occurred_at: datetime | None = None,
                             location: str = "", description: str = "") -> TrackingOutcome:
        """Apply a carrier's event once by its id (trusted: :class:`CarrierCallbacks`
        verified it): a repeat of ``event_id`` changes nothing. The id is recorded in the
        same transaction as the change, so a retried callback never applies twice."""
        self._carrier(carrier)
        event_id = text("event_id", event_id, 64, required=True)
        event = _event(status, occurred_at or self._clock.now(), location, description)
        with self._tx() as uow:
            shipment = uow.shipments.by_tracking(carrier, tracking_number)
            if not uow.processed.add(f"{CARRIER_GROUP}{carrier}", event_id, self._clock.now()):
                order = uow.orders.get(shipment.order_id)
                return TrackingOutcome(event_id, False, shipment, order.status)
            self._track(uow, shipment, event)
            return TrackingOutcome(event_id, True, shipment,
                                   uow.orders.get(shipment.order_id).status)

    def add_tracking_event(self, actor: Actor, shipment_id: int,
                           status: ShipmentStatus | str, occurred_at: datetime | None = None,
                           location: str = "", description: str = "") -> Shipment:
        """A seller records a tracking event of their own shipment (admins: any), as a
        carrier would: the first movement ships its items, delivery delivers them. Not in
        the future (a few minutes of clock skew aside)."""
        now = self._clock.now()
        when = occurred_at or now
        if when > now + CLOCK_SKEW:
            raise ValidationError("a tracking event cannot be in the future",
                                  {"occurred_at": "in the future"})
        event = _event(status, when, location, description)
        self.shipment(actor, shipment_id)  # NotFound for those who may not even see it
        with self._tx() as uow:
            shipment = uow.shipments.get(shipment_id)
            authorize(actor, Action.SHIP_ITEMS, shipment.seller_id, f"shipment {shipment_id}")
            return self._track(uow, shipment, event)

    def _track(self, uow: UnitOfWork, shipment: Shipment, event: TrackingEvent) -> Shipment:
        """Apply ``event`` to ``shipment`` and move its items and order, with the events
        (OrderShipped, OrderDelivered, ReviewRequested) the notifications go by."""
        before = shipment.status
        if not shipment.track(event):  # a repeat, or an older step kept for the record
            uow.shipments.update(shipment)
            uow.record(OrderChanged(occurred_at=event.occurred_at, order_id=shipment.order_id))
            return shipment
        order = uow.orders.get(shipment.order_id)
        events: list[DomainEvent] = []
        if before not in MOVING and shipment.status in MOVING:
            self._move(order, shipment, OrderStatus.SHIPPED, event.occurred_at)
            events.append(OrderShipped(occurred_at=event.occurred_at, order_id=order.id,
                                       user_id=order.user_id, shipment_id=shipment.id,
                                       carrier=shipment.carrier,
                                       tracking_number=shipment.tracking_number))
        if shipment.status is ShipmentStatus.DELIVERED:
            self._move(order, shipment, OrderStatus.DELIVERED, event.occurred_at)
            products = list(dict.fromkeys(order.item(i).product_id for i in shipment.item_ids))
            events += [OrderDelivered(occurred_at=event.occurred_at, order_id=order.id,
                                      user_id=order.user_id, shipment_id=shipment.id),
                       ReviewRequested(occurred_at=event.occurred_at, order_id=order.id,
                                       user_id=order.user_id, product_ids=products)]
        uow.shipments.update(shipment)
        uow.orders.update(order)
        uow.record(*events, OrderChanged(occurred_at=event.occurred_at, order_id=order.id))
        return shipment

    @staticmethod
    def _move(order: Order, shipment: Shipment, target: OrderStatus, now: datetime) -> None:
        for item_id in shipment.item_ids:
            if order.item(item_id).status is not target:
                order.move_item(item_id, target, now)

    def cancel_shipment(self, actor: Actor, shipment_id: int) -> Shipment:
        """Void a label that has not moved yet; its items may ship again."""
        with self._tx() as uow:
            shipment = uow.shipments.get(shipment_id)
            authorize(actor, Action.SHIP_ITEMS, shipment.seller_id, f"shipment {shipment_id}")
            shipment.cancel(self._clock.now())
            uow.shipments.update(shipment)
            uow.record(OrderChanged(occurred_at=self._clock.now(), order_id=shipment.order_id))
            return shipment

    def shipment(self, actor: Actor, shipment_id: int) -> Shipment:
        """A shipment its buyer, its seller or an admin may see."""
        with self._tx.read() as uow:
            shipment = uow.shipments.get(shipment_id)
            order = uow.orders.get(shipment.order_id)
        if not (allowed(actor, Action.VIEW_ORDER, order.user_id)
                or allowed(actor, Action.SHIP_ITEMS, shipment.seller_id)):
            raise NotFound(f"shipment {shipment_id} not found", {"shipment_id": shipment_id})
        return shipment

    def for_order(self, actor: Actor, order_id: int) -> list[Shipment]:
        with self._tx.read() as uow:
            order = uow.orders.get(order_id)
            shipments = list(uow.shipments.for_order(order_id))
        if allowed(actor, Action.VIEW_ORDER, order.user_id):
            return shipments
        mine = [s for s in shipments if allowed(actor, Action.SHIP_ITEMS, s.seller_id)]
        if not mine and not any(i.seller_id == actor.user_id for i in order.items):
            raise NotFound(f"order {order_id} not found", {"order_id": order_id})
        return mine

    def _carrier(self, name: str | None) -> Carrier:
        try:
            return self._carriers[name or self._default]
        except KeyError:
            raise ValidationError(f"unknown carrier {name!r}",
                                  {"carrier": ", ".join(sorted(self._carriers))}) from None


def _event(status: ShipmentStatus | str, occurred_at: datetime, location: str,
           description: str) -> TrackingEvent:
    kind = choice(ShipmentStatus, status, "status")
    if kind is ShipmentStatus.CANCELLED:  # a label is voided by cancel_shipment, not tracked
        raise ValidationError("a tracking event cannot cancel a shipment",
                              {"status": "LABEL_CREATED, IN_TRANSIT, OUT_FOR_DELIVERY or "
                                         "DELIVERED"})
    if occurred_at.tzinfo is None:
        raise ValidationError("occurred_at needs a time zone", {"occurred_at": "naive"})
    return TrackingEvent(kind, occurred_at.astimezone(UTC), text("location", location, 200),
                         text("description", description, 500))


def _level(value: ServiceLevel | str) -> ServiceLevel:
    try:
        return ServiceLevel(value)
    except ValueError:
        raise ValidationError(f"unknown service level {value!r}",
                              {"service_level": ", ".join(s.value for s in ServiceLevel)}
                              ) from None
