"""Fulfilment: an order from PENDING to DELIVERED through the calls the HTTP operations make
(seller tracking events, carriers' signed callbacks), and what those refuse."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from commerce_adapters.bootstrap import carrier_secrets_setting
from commerce_adapters.fake.payments import FakeGateway
from commerce_core.accounts.policy import Actor
from commerce_core.clock import ManualClock
from commerce_core.errors import Forbidden, NotFound, Unauthenticated, ValidationError
from commerce_core.facade import Commerce
from commerce_core.notifications.model import NotificationType
from commerce_core.orders.model import OrderStatus
from commerce_core.shipping.model import Shipment, ShipmentStatus
from commerce_core.webhooks.service import SIGNATURE_HEADER, sign
from tests.conftest import ADMIN, add_product, buy, make_shop, register

CARRIER = "table-rate"
CARRIER_SECRET = "carrier-secret-of-the-table-rate-carrier"


def _shop(clock: ManualClock, gateway: FakeGateway) -> Commerce:
    return make_shop(clock, gateway, carrier_secrets={CARRIER: CARRIER_SECRET})


def _callback(shop: Commerce, clock: ManualClock, shipment: Shipment, status: str,
              event_id: str, *, secret: str = CARRIER_SECRET, signed_ago: int = 0,
              **extra: Any) -> tuple[bytes, dict[str, str]]:
    """A carrier's callback as it arrives: its body and its headers."""
    body = json.dumps({"event_id": event_id, "tracking_number": shipment.tracking_number,
                       "status": status, "occurred_at": clock.now().isoformat(),
                       **extra}).encode()
    at = clock.now() - timedelta(seconds=signed_ago)
    return body, {SIGNATURE_HEADER.upper(): sign(secret, body, at)}


def _confirmed_order(shop: Commerce, clock: ManualClock) -> tuple[Actor, Actor, int]:
    """Accounts, a product, a placed then paid order: (seller, buyer, order id)."""
    seller = register(shop, "lamps@example.com", role="seller")     # POST /users/register
    buyer = register(shop, "kim@example.com")                        # + POST /auth/login
    category = shop.catalog.create_category(ADMIN, "Lighting").id    # POST /categories
    lamp = add_product(shop, category, "Lamp", seller=seller, weight=1200)  # POST /products
    order_id = buy(shop, lamp.id, user=buyer, token=None)  # POST /cart/items, POST /orders
    assert shop.orders.get(order_id, buyer).status is OrderStatus.PENDING
    shop.checkout.pay(buyer, order_id, "tok_visa")          # POST /payments/{id}/process
    assert shop.orders.get(order_id, buyer).status is OrderStatus.CONFIRMED
    return seller, buyer, order_id


def test_an_order_goes_from_pending_to_delivered(clock: ManualClock,
                                                 gateway: FakeGateway) -> None:
    shop = _shop(clock, gateway)
    seller, buyer, order_id = _confirmed_order(shop, clock)
    shipment = shop.shipping.create_shipment(seller, order_id)     # POST /shipments
    clock.advance(timedelta(hours=2))
    # POST /shipments/{shipment_id}/events: the seller hands the parcel over
    moving = shop.shipping.add_tracking_event(seller, shipment.id, "IN_TRANSIT",
                                              location="Denver, CO")
    assert moving.status is ShipmentStatus.IN_TRANSIT
    order = shop.orders.get(order_id, buyer)
    assert order.status is OrderStatus.SHIPPED
    assert {i.status for i in order.items} == {OrderStatus.SHIPPED}
    clock.advance(timedelta(days=1))
    # POST /webhooks/carriers/{carrier}: the carrier reports the delivery
    body, headers = _callback(shop, clock, shipment, "DELIVERED", "evt-2", location="Porch")
    outcome = shop.carrier_callbacks.receive(CARRIER, body, headers)
    assert outcome.applied and outcome.order_status is OrderStatus.DELIVERED
    assert outcome.shipment.status is ShipmentStatus.DELIVERED
    order = shop.orders.get(order_id, buyer)
    assert order.status is OrderStatus.DELIVERED
    assert {i.status for i in order.items} == {OrderStatus.DELIVERED}
    # the carrier retries: applied once
    again = shop.carrier_callbacks.receive(CARRIER, body, headers)
    assert not again.applied and again.order_status is OrderStatus.DELIVERED
    assert len(shop.shipping.shipment(buyer, shipment.id).events) == 2
    kinds = {m.type for m in shop.notifications.inbox(buyer).items}
    assert {NotificationType.ORDER_SHIPPED, NotificationType.ORDER_DELIVERED} <= kinds


def test_carrier_callbacks_refuse_forged_stale_and_unknown(clock: ManualClock,
                                                          gateway: FakeGateway) -> None:
    shop = _shop(clock, gateway)
    seller, buyer, order_id = _confirmed_order(shop, clock)
    shipment = shop.shipping.create_shipment(seller, order_id)
    forged = _callback(shop, clock, shipment, "IN_TRANSIT", "evt-1",
                       secret="another-secret-of-enough-length")
    stale = _callback(shop, clock, shipment, "IN_TRANSIT", "evt-1", signed_ago=301)
    body, headers = _callback(shop, clock, shipment, "IN_TRANSIT", "evt-1")
    for bad_body, bad_headers in (forged, stale, (body + b" ", headers), (body, {})):
        with pytest.raises(Unauthenticated):
            shop.carrier_callbacks.receive(CARRIER, bad_body, bad_headers)
    with pytest.raises(NotFound):  # a carrier with no secret set takes no callbacks
        shop.carrier_callbacks.receive("pigeon", body, headers)
    for payload, field in ((b"not json", "body"), (b"[1]", "body"),
                           (json.dumps({"event_id": "e", "status": "DELIVERED"}).encode(),
                            "tracking_number"),
                           (json.dumps({"event_id": "e", "status": "DELIVERED",
                                        "tracking_number": shipment.tracking_number,
                                        "occurred_at": "yesterday"}).encode(),
                            "occurred_at")):
        with pytest.raises(ValidationError) as err:
            shop.carrier_callbacks.receive(CARRIER, payload,
                                           {SIGNATURE_HEADER: sign(CARRIER_SECRET, payload,
                                                                   clock.now())})
        assert field in err.value.details
    assert shop.orders.get(order_id, buyer).status is OrderStatus.CONFIRMED  # nothing moved
    assert shop.carrier_callbacks.receive(CARRIER, body, headers).applied
    # a second event id with the same step is recorded, and moves nothing more
    later = _callback(shop, clock, shipment, "IN_TRANSIT", "evt-9", location="Reno")
    assert shop.carrier_callbacks.receive(CARRIER, *later).order_status is OrderStatus.SHIPPED


def test_sellers_track_their_own_shipments_and_admins_any(clock: ManualClock,
                                                         gateway: FakeGateway) -> None:
    shop = _shop(clock, gateway)
    seller, buyer, order_id = _confirmed_order(shop, clock)
    other = register(shop, "rugs@example.com", role="seller")
    shipment = shop.shipping.create_shipment(seller, order_id)
    with pytest.raises(NotFound):  # another seller cannot even see it
        shop.shipping.add_tracking_event(other, shipment.id, "IN_TRANSIT")
    with pytest.raises(Forbidden):  # the buyer sees it, but carriers and sellers track it
        shop.shipping.add_tracking_event(buyer, shipment.id, "DELIVERED")
    with pytest.raises(ValidationError) as err:
        shop.shipping.add_tracking_event(seller, shipment.id, "IN_TRANSIT",
                                         clock.now() + timedelta(hours=1))
    assert "occurred_at" in err.value.details
    for status in ("CANCELLED", "LOST"):
        with pytest.raises(ValidationError) as err:
            shop.shipping.add_tracking_event(seller, shipment.id, status)
        assert "status" in err.value.details
    with pytest.raises(ValidationError):
        shop.shipping.add_tracking_event(seller, shipment.id, "IN_TRANSIT",
                                         location="x" * 201)
    assert shop.orders.get(order_id, buyer).status is OrderStatus.CONFIRMED
    done = shop.shipping.add_tracking_event(ADMIN, shipment.id, "DELIVERED")
    assert done.status is ShipmentStatus.DELIVERED
    assert shop.orders.get(order_id, buyer).status is OrderStatus.DELIVERED


def test_carrier_secrets_come_from_settings_and_must_be_long(clock: ManualClock,
                                                            gateway: FakeGateway) -> None:
    assert carrier_secrets_setting({"COMMERCE_CARRIER_TABLE_RATE_SECRET": "s" * 20,
                                    "COMMERCE_CARRIER_UPS_SECRET": "u" * 20,
                                    "COMMERCE_CARRIER_EMPTY_SECRET": "",
                                    "COMMERCE_SECRET_KEY": "k" * 40}) == {
        "table-rate": "s" * 20, "ups": "u" * 20}
    with pytest.raises(ValueError, match="16 characters"):
        make_shop(clock, gateway, carrier_secrets={CARRIER: "short"})
