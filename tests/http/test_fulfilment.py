"""Tracking over HTTP: a carrier's signed callback moves the order, once per event id; a
forged, stale or unknown one changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

from falcon import testing

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.clock import ManualClock
from commerce_core.orders.model import OrderStatus
from commerce_core.webhooks.service import SIGNATURE_HEADER, sign
from commerce_http import create_app
from tests.conftest import ADMIN, add_product, buy, make_shop, register

CARRIER, SECRET = "table-rate", "carrier-secret-of-the-table-rate-carrier"
API = f"/api/v1/webhooks/carriers/{CARRIER}"


def test_a_carriers_signed_callbacks_deliver_the_order_once(clock: ManualClock,
                                                            gateway: FakeGateway) -> None:
    shop = make_shop(clock, gateway, carrier_secrets={CARRIER: SECRET})
    client = testing.TestClient(create_app(shop))
    seller = register(shop, "lamps@example.com", role="seller")
    buyer = register(shop, "kim@example.com")
    lamp = add_product(shop, shop.catalog.create_category(ADMIN, "Lighting").id, "Lamp",
                       seller=seller)
    order_id = buy(shop, lamp.id, user=buyer)
    shipment = shop.shipping.create_shipment(seller, order_id)

    def post(status: str, event_id: str, secret: str = SECRET, ago: int = 0,
             path: str = API) -> testing.Result:
        body = json.dumps({"event_id": event_id, "tracking_number": shipment.tracking_number,
                           "status": status}).encode()
        signature = sign(secret, body, clock.now() - timedelta(seconds=ago))
        return client.simulate_post(path, body=body, headers={
            SIGNATURE_HEADER: signature, "Content-Type": "application/json"})

    assert post("IN_TRANSIT", "evt-1", secret="x" * 40).status_code == 401
    assert post("IN_TRANSIT", "evt-1", ago=3600).status_code == 401  # a replay, too late
    assert post("IN_TRANSIT", "evt-1", path="/api/v1/webhooks/carriers/nobody"
                ).status_code == 404
    assert post("IN_TRANSIT", "evt-1", path="/api/v1/webhooks/carriers/Bad%20Name"
                ).status_code == 422
    assert shop.orders.get(order_id, buyer).status is OrderStatus.CONFIRMED  # untouched
    moving = post("IN_TRANSIT", "evt-1")
    assert moving.status_code == 200, moving.text
    assert moving.json["data"]["order_status"] == "SHIPPED"
    done = post("DELIVERED", "evt-2").json["data"]
    assert (done["applied"], done["order_status"], done["order_id"]) \
        == (True, "DELIVERED", str(order_id))
    again = post("DELIVERED", "evt-2").json["data"]
    assert again["applied"] is False
    assert shop.orders.get(order_id, buyer).status is OrderStatus.DELIVERED
