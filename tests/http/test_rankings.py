"""Trending products and top sellers over HTTP, fed by signed-in views and confirmed
orders."""

from __future__ import annotations

from falcon import testing

from commerce_core.facade import Commerce
from tests.conftest import ADMIN, OTHER_SELLER, SELLER, add_product
from tests.http.conftest import error, sign_up

ADDRESS = {"address_line_1": "1 Main St", "city": "Springfield", "postal_code": "12345",
           "country": "US", "state": "IL"}


def test_views_and_orders_rank_products_and_sellers(client: testing.TestClient,
                                                    shop: Commerce) -> None:
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    viewed = add_product(shop, category, "Desk lamp", ["49.90"], stock=10)
    bought = add_product(shop, category, "Floor lamp", ["99.00"], stock=10,
                         seller=OTHER_SELLER)
    headers, _ = sign_up(client, "ann@example.com")
    for _ in range(3):
        client.simulate_get(f"/api/v1/products/{viewed.id}", headers=headers)
    client.simulate_get(f"/api/v1/products/{bought.id}")  # anonymous: not counted
    client.simulate_post("/api/v1/cart/items", headers=headers,
                         json={"product_id": bought.id, "quantity": 2})
    placed = client.simulate_post("/api/v1/orders", headers=headers,
                                  json={"shipping_address": ADDRESS,
                                        "payment_token": "tok_visa"})
    assert placed.status_code == 201, placed.json
    trending = client.simulate_get("/api/v1/rankings/trending").json["data"]
    assert [(p["product_id"], p["score"], p["rank"]) for p in trending["products"]] == [
        (str(bought.id), 10.0, 1), (str(viewed.id), 3.0, 2)]
    sellers = client.simulate_get("/api/v1/rankings/top-sellers",
                                  params={"limit": "1"}).json["data"]["sellers"]
    assert sellers == [{"seller_id": str(OTHER_SELLER.user_id), "score": 2.0, "rank": 1}]
    assert SELLER.user_id != OTHER_SELLER.user_id
    refused = client.simulate_get("/api/v1/rankings/trending", params={"limit": "0"})
    assert refused.status_code == 422 and "limit" in error(refused)["details"]
