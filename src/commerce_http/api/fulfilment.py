"""Tracking events that move items and orders to SHIPPED and DELIVERED: a carrier's signed
callback, and a seller (or admin) recording an event of their own shipment."""

from __future__ import annotations

from typing import Literal

from commerce_core.shipping.service import TrackingOutcome
from commerce_http.api.shipments import ShipmentOut, shipment_out
from commerce_http.contract.operation import Call, Operation
from commerce_http.contract.wire import Body, Id, Model, Text100, Text500, Text2000, Timestamp

Status = Literal["LABEL_CREATED", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED"]


class CarrierEvent(Body):
    """What a carrier posts (documented here; the handler reads the signed bytes as sent)."""

    event_id: Text100
    tracking_number: Text100
    status: Status
    occurred_at: Timestamp | None = None
    location: Text500 = ""
    description: Text2000 = ""


class CallbackOut(Model):
    event_id: str
    applied: bool  # False: this event id was applied before, nothing changed
    shipment_id: Id
    shipment_status: str
    order_id: Id
    order_status: str


def _outcome(o: TrackingOutcome) -> CallbackOut:
    return CallbackOut(event_id=o.event_id, applied=o.applied, shipment_id=Id(o.shipment.id),
                       shipment_status=o.shipment.status.value,
                       order_id=Id(o.shipment.order_id), order_status=o.order_status.value)


class TrackingEventIn(Body):
    status: Status
    occurred_at: Timestamp | None = None  # default: now; never in the future
    location: Text500 = ""
    description: Text2000 = ""


def _add_event(call: Call[object, TrackingEventIn]) -> ShipmentOut:
    b = call.body
    return shipment_out(call.shop.shipping.add_tracking_event(
        call.who(), call.path["shipment_id"], b.status, b.occurred_at, b.location,
        b.description))


def _carrier_callback(call: Call[object, None]) -> CallbackOut:
    carrier = call.names["carrier"]
    return _outcome(call.shop.carrier_callbacks.receive(carrier, call.raw, call.headers))


carrier_callback = Operation(
    "POST", "/api/v1/webhooks/carriers/{carrier}", "receive_carrier_event",
    "A carrier's tracking event, signed with its secret (Commerce-Signature: t=..,v1=..)",
    _carrier_callback, raw=CarrierEvent, response=CallbackOut, auth=False,
    errors=(401, 404, 409), tag="fulfilment")

add_tracking_event = Operation(
    "POST", "/api/v1/shipments/{shipment_id}/events", "add_tracking_event",
    "Record a tracking event of my shipment (admins: any), as its carrier would: the first "
    "movement ships its items, delivery delivers them", _add_event, body=TrackingEventIn,
    response=ShipmentOut, status=201, errors=(404, 409), tag="fulfilment")

OPERATIONS = (carrier_callback, add_tracking_event)
