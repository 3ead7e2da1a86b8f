"""Shipments: a seller ships their items of an order; its buyer, seller or an admin reads it,
follows its tracking, and the seller voids a label that has not moved."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from commerce_core.shipping.model import Shipment, TrackingEvent
from commerce_http.contract.operation import Call, Operation
from commerce_http.contract.wire import Amount, Body, Id, Model, Text100, Timestamp, money

API = "/api/v1"
ServiceLevel = Literal["standard", "express", "overnight"]
ShipmentStatus = Literal["LABEL_CREATED", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED",
                         "CANCELLED"]


class TrackingEventOut(Model):
    status: ShipmentStatus
    timestamp: Timestamp
    location: str
    description: str


class ShipmentOut(Model):
    shipment_id: Id
    order_id: Id
    seller_id: Id
    order_item_ids: list[Id]
    carrier: str
    service_level: ServiceLevel
    tracking_number: str
    label_url: str | None
    cost: Amount
    currency: str
    status: ShipmentStatus
    events: list[TrackingEventOut]
    created_at: Timestamp


class TrackingOut(Model):
    shipment_id: Id
    carrier: str
    tracking_number: str
    status: ShipmentStatus
    events: list[TrackingEventOut]


def _events(events: list[TrackingEvent]) -> list[TrackingEventOut]:
    return [TrackingEventOut(status=e.status.value, timestamp=e.occurred_at,
                             location=e.location, description=e.description) for e in events]


def shipment_out(s: Shipment) -> ShipmentOut:
    return ShipmentOut(
        shipment_id=Id(s.id), order_id=Id(s.order_id), seller_id=Id(s.seller_id),
        order_item_ids=[Id(i) for i in s.item_ids], carrier=s.carrier,
        service_level=s.service_level.value, tracking_number=s.tracking_number,
        label_url=s.label_url or None, cost=money(s.cost), currency=s.cost.currency,
        status=s.status.value, events=_events(s.events), created_at=s.created_at)


class ShipmentIn(Body):
    order_id: Id
    # the seller's items of the order to ship; left out: all of theirs not shipped yet
    order_item_ids: Annotated[list[Id], msgspec.Meta(min_length=1, max_length=500)] | None = None
    service_level: ServiceLevel = "standard"
    carrier: Text100 | None = None  # left out: the cheapest quote's


def _create(call: Call[object, ShipmentIn]) -> ShipmentOut:
    b = call.body
    items = None if b.order_item_ids is None else [int(i) for i in b.order_item_ids]
    return shipment_out(call.shop.shipping.create_shipment(
        call.who(), int(b.order_id), items, service_level=b.service_level, carrier=b.carrier))


def _get(call: Call[object, None]) -> ShipmentOut:
    return shipment_out(call.shop.shipping.shipment(call.who(), call.path["shipment_id"]))


def _track(call: Call[object, None]) -> TrackingOut:
    s = call.shop.shipping.shipment(call.who(), call.path["shipment_id"])
    return TrackingOut(shipment_id=Id(s.id), carrier=s.carrier,
                       tracking_number=s.tracking_number, status=s.status.value,
                       events=_events(s.events))


def _cancel(call: Call[object, None]) -> ShipmentOut:
    return shipment_out(call.shop.shipping.cancel_shipment(call.who(),
                                                           call.path["shipment_id"]))


create_shipment = Operation(
    "POST", f"{API}/shipments", "create_shipment",
    "Ship my items of an order (all of mine not yet shipped when none are named)", _create,
    body=ShipmentIn, response=ShipmentOut, status=201, errors=(404, 409), tag="shipments")
get_shipment = Operation(
    "GET", f"{API}/shipments/{{shipment_id}}", "get_shipment", "A shipment", _get,
    response=ShipmentOut, errors=(404,), tag="shipments")
track_shipment = Operation(
    "GET", f"{API}/shipments/{{shipment_id}}/track", "track_shipment", "Tracking events",
    _track, response=TrackingOut, errors=(404,), tag="shipments")
cancel_shipment = Operation(
    "POST", f"{API}/shipments/{{shipment_id}}/cancel", "cancel_shipment",
    "Void an unmoved label", _cancel, response=ShipmentOut, errors=(404, 409),
    tag="shipments")

OPERATIONS = (create_shipment, get_shipment, track_shipment, cancel_shipment)
