"""Tracking over HTTP: a carrier's signed callback moves the order, once per event id; a
forged, stale or unknown one changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

from falcon import testing

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.clock import ManualClock
from commerce_core.facade import Commerce
from commerce_core.orders.model import OrderStatus
from commerce_core.webhooks.service import SIGNATURE_HEADER, sign
from commerce_http import create_app
from tests.conftest import ADMIN, add_product, buy, make_shop, register
from tests.http.conftest import error, sign_up
from tests.http.test_payments_reviews import admin_headers
from tests.http.test_shopping import ADDRESS

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


def test_an_order_goes_from_pending_to_delivered_through_http_alone(
        client: testing.TestClient, shop: Commerce) -> None:
    admin = admin_headers(client, shop)  # the first admin: COMMERCE_ADMIN_EMAIL at start-up
    seller, _ = sign_up(client, "lamps@example.com", role="seller")
    buyer, _ = sign_up(client, "kim@example.com")
    category = client.simulate_post("/api/v1/admin/categories", headers=admin, json={
        "name": "Lighting"}).json["data"]["category_id"]
    client.simulate_post("/api/v1/seller/profile", headers=seller, json={"store_name": "Lumen"})
    product = client.simulate_post("/api/v1/products", headers=seller, json={
        "name": "Lamp", "category_id": category, "price": "40.00", "sku": "LAMP-1",
        "stock": 3}).json["data"]["product_id"]
    client.simulate_post("/api/v1/cart/items", headers=buyer, json={"product_id": product})
    placed = client.simulate_post("/api/v1/orders", headers=buyer,
                                  json={"shipping_address": ADDRESS})
    order = placed.json["data"]["order_id"]

    def status() -> str:
        found: str = client.simulate_get(f"/api/v1/orders/{order}",
                                         headers=buyer).json["data"]["status"]
        return found

    assert status() == "PENDING"
    paid = client.simulate_post(f"/api/v1/payments/{order}/process", headers=buyer,
                                json={"payment_token": "tok_visa"})
    assert paid.status_code == 200, paid.text
    assert status() == "CONFIRMED"
    shipment = client.simulate_post("/api/v1/shipments", headers=seller, json={
        "order_id": order}).json["data"]["shipment_id"]
    events = f"/api/v1/shipments/{shipment}/events"
    assert client.simulate_post(events, headers=buyer, json={
        "status": "IN_TRANSIT"}).status_code in (403, 404)  # not the buyer's to say
    moving = client.simulate_post(events, headers=seller, json={"status": "IN_TRANSIT",
                                                              "location": "Denver, CO"})
    assert moving.status_code == 201 and moving.json["data"]["status"] == "IN_TRANSIT"
    assert status() == "SHIPPED"
    bad = client.simulate_post(events, headers=seller, json={"status": "LOST"})
    assert bad.status_code == 422 and "status" in error(bad)["details"]
    client.simulate_post(events, headers=seller, json={"status": "DELIVERED"})
    assert status() == "DELIVERED"
    inbox = client.simulate_get("/api/v1/users/me/notifications", headers=buyer).json["data"]
    kinds = {n["type"] for n in inbox["notifications"]}
    assert {"order_shipped", "order_delivered"} <= kinds
