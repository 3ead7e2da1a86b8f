"""Cached reads over HTTP (on the default memory cache): what a write changes is what the
next read shows, through every path that changes it; and the cache is counted in /metrics."""

from __future__ import annotations

import uuid

from falcon import testing

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.clock import ManualClock
from commerce_core.facade import Commerce
from commerce_http import create_app
from commerce_http.api.catalog import product_out
from commerce_http.contract import wire
from tests.conftest import ADMIN, SELLER, add_product, make_shop
from tests.contract.conftest import redis_test_client
from tests.http.conftest import sign_up
from tests.servers import server_url

ADDRESS = {"address_line_1": "1 Main St", "city": "Springfield", "postal_code": "12345",
           "country": "US", "state": "IL"}


def test_order_detail_follows_shipments_tracking_and_cancels(client: testing.TestClient,
                                                             shop: Commerce) -> None:
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    lamp = add_product(shop, category, "Desk lamp", ["49.90"], stock=10)
    headers, _ = sign_up(client, "ann@example.com")
    client.simulate_post("/api/v1/cart/items", headers=headers, json={"product_id": lamp.id})
    placed = client.simulate_post("/api/v1/orders", headers=headers, json={
        "shipping_address": ADDRESS, "payment_token": "tok_visa"})
    order_id = int(placed.json["data"]["order_id"])
    path = f"/api/v1/orders/{order_id}"
    miss = client.simulate_get(path, headers=headers)
    assert miss.json["data"]["shipments"] == []
    assert client.simulate_get(path, headers=headers).content == miss.content  # a hit
    shipment = shop.shipping.create_shipment(SELLER, order_id)
    shown = client.simulate_get(path, headers=headers).json["data"]["shipments"]
    assert [s["shipment_id"] for s in shown] == [str(shipment.id)]
    shop.shipping.cancel_shipment(SELLER, shipment.id)
    shown = client.simulate_get(path, headers=headers).json["data"]["shipments"]
    assert [s["status"] for s in shown] == ["CANCELLED"]
    again = shop.shipping.create_shipment(SELLER, order_id)
    shop.shipping.record_tracking(again.carrier, again.tracking_number, "IN_TRANSIT")
    detail = client.simulate_get(path, headers=headers).json["data"]
    assert detail["status"] == "SHIPPED"
    eve, _ = sign_up(client, "eve@example.com")
    assert client.simulate_get(path, headers=eve).status_code == 404  # a hit is authorized
    metrics = client.simulate_get("/metrics").text
    assert 'commerce_cache_reads_total{result="hit"}' in metrics
    assert 'commerce_cache_reads_total{result="miss"}' in metrics


def test_listing_detail_and_tree_follow_catalog_writes(client: testing.TestClient,
                                                       shop: Commerce) -> None:
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    lamp = add_product(shop, category, "Desk lamp", ["49.90"], stock=10)
    path = f"/api/v1/products/{lamp.id}"
    listing = {"category": str(category)}
    assert client.simulate_get(path).json["data"]["price"] == "49.90"
    assert client.simulate_get("/api/v1/products", params=listing).json["data"][
        "pagination"]["total_count"] == 1
    add_product(shop, category, "Floor lamp", ["99.00"])
    assert client.simulate_get("/api/v1/products", params=listing).json["data"][
        "pagination"]["total_count"] == 2
    shop.catalog.update_product(SELLER, lamp.id, name="Desk lamp II")
    assert client.simulate_get(path).json["data"]["name"] == "Desk lamp II"
    headers, _ = sign_up(client, "ann@example.com")
    shop.reviews.write(shop.accounts.authenticate(headers["Authorization"].split()[1]),
                       lamp.id, 4, "Good")
    assert client.simulate_get(path).json["data"]["reviews_count"] == 1
    child = shop.catalog.create_category(ADMIN, "Desk", category).id
    tree = client.simulate_get("/api/v1/categories").json["data"]["categories"]
    assert [c["category_id"] for c in tree[0]["children"]] == [str(child)]
    shop.catalog.deactivate_product(SELLER, lamp.id)
    assert client.simulate_get(path).status_code == 404


def _hit_is_miss(client: testing.TestClient, shop: Commerce) -> None:
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    lamp = add_product(shop, category, "Desk lamp", ["49.90", "59.90"], stock=10)
    shop.sellers.create_profile(SELLER, "Lamp House")
    for path in (f"/api/v1/products/{lamp.id}", "/api/v1/products", "/api/v1/categories"):
        miss = client.simulate_get(path, params={"category_id": str(category)})
        hit = client.simulate_get(path, params={"category_id": str(category)})
        assert miss.status_code == 200 and miss.content == hit.content, path
    # the spliced body is the whole Model encoded: what a seller's write answers with
    whole = product_out(shop, shop.catalog.product_detail(lamp.id))
    assert client.simulate_get(f"/api/v1/products/{lamp.id}").content == wire.encode(
        wire.Success(data=whole))
    assert whole.seller.name == "Lamp House" and len(whole.variants) == 2
    metrics = client.simulate_get("/metrics").text
    assert 'commerce_cache_reads_total{result="hit"}' in metrics


def test_a_hit_is_byte_for_byte_a_miss(client: testing.TestClient, shop: Commerce) -> None:
    _hit_is_miss(client, shop)


def test_a_hit_is_byte_for_byte_a_miss_on_redis(clock: ManualClock,
                                                gateway: FakeGateway) -> None:
    redis_test_client()
    shop = make_shop(clock, gateway, cache_url=server_url("redis"),
                     key_prefix=f"browse{uuid.uuid4().hex[:6]}:")
    _hit_is_miss(testing.TestClient(create_app(shop)), shop)
    assert shop.cache.get(shop.cached.keys.category_tree()) is not None  # stored there
