"""The seller and admin areas, and the customer's own pages, over HTTP."""

from __future__ import annotations

from datetime import date

import pytest
from falcon import testing

from commerce_core.facade import Commerce
from tests.http.conftest import actor_of, error, sign_up
from tests.http.test_payments_reviews import admin_headers
from tests.http.test_shopping import ADDRESS


@pytest.fixture
def people(client: testing.TestClient, shop: Commerce) -> dict[str, dict[str, str]]:
    return {"admin": admin_headers(client, shop),
            "seller": sign_up(client, "lamps@example.com", role="seller")[0],
            "ann": sign_up(client, "ann@example.com")[0]}


def test_a_seller_sells_ships_refunds_and_reads_figures(
        client: testing.TestClient, shop: Commerce, people: dict[str, dict[str, str]]) -> None:
    admin, seller, ann = people["admin"], people["seller"], people["ann"]
    category = client.simulate_post("/api/v1/admin/categories", headers=admin,
                                    json={"name": "Lamps"}).json["data"]["category_id"]
    assert client.simulate_post("/api/v1/seller/profile", headers=seller,
                                json={"store_name": "Lumen"}).status_code == 201
    created = client.simulate_post("/api/v1/products", headers=seller, json={
        "name": "Arc lamp", "category_id": category,
        "variants": [{"sku": "ARC-1", "price": "129.00", "stock": 2, "reorder_level": 1}]})
    assert created.status_code == 201, created.json
    product = created.json["data"]
    # the product detail's own shape, its seller's store named
    assert (product["seller"]["name"], product["seller"]["rating"], product["price"]) \
        == ("Lumen", None, "129.00")
    variant_id = product["variants"][0]["variant_id"]
    refused = client.simulate_post("/api/v1/products", headers=ann, json={
        "name": "Mine", "category_id": category, "price": 5, "sku": "MINE-1"})
    assert refused.status_code == 403
    restocked = client.simulate_put(f"/api/v1/inventory/{variant_id}", headers=seller,
                                    json={"restock": 3})
    assert restocked.json["data"]["quantity_available"] == 5
    assert client.simulate_put(f"/api/v1/inventory/{variant_id}", headers=ann,
                               json={"restock": 3}).status_code == 403
    client.simulate_post("/api/v1/cart/items", headers=ann,
                         json={"product_id": product["product_id"], "quantity": 2})
    order = client.simulate_post("/api/v1/orders", headers=ann, json={
        "shipping_address": ADDRESS, "payment_token": "tok_visa"}).json["data"]
    assert (order["status"], order["payment"]["status"], order["shipping"]["status"],
            order["shipping"]["tracking_number"], order["shipments"], order["review_status"],
            order["requires_action"]) == ("CONFIRMED", "COMPLETED", "NOT_SHIPPED", None, [],
                                          "CLEAR", False)
    mine = client.simulate_get("/api/v1/seller/orders", headers=seller).json["data"]
    assert [o["order_id"] for o in mine["orders"]] == [str(order["order_id"])]
    shipped = client.simulate_post("/api/v1/shipments", headers=seller, json={
        "order_id": order["order_id"], "service_level": "express"})
    assert mine["orders"][0]["items"][0]["unit_price"] == "129.00"
    assert shipped.status_code == 201, shipped.json
    shipment = shipped.json["data"]
    shop.shipping.record_tracking(shipment["carrier"], shipment["tracking_number"],
                                  "DELIVERED")
    track = client.simulate_get(f"/api/v1/shipments/{shipment['shipment_id']}/track",
                                headers=ann).json["data"]
    assert track["status"] == "DELIVERED"
    page = client.simulate_get(f"/api/v1/orders/{order['order_id']}", headers=ann).json["data"]
    assert (page["status"], page["shipping"]["status"], page["shipping"]["tracking_number"],
            [str(s["shipment_id"]) for s in page["shipments"]], page["payment"]["payment_id"]) == (
        "DELIVERED", "DELIVERED", shipment["tracking_number"], [shipment["shipment_id"]],
        order["payment"]["payment_id"])
    assert client.simulate_get(f"/api/v1/orders/{order['order_id']}",
                               headers=seller).status_code == 404
    item = order["items"][0]["order_item_id"]
    refund = client.simulate_post(f"/api/v1/seller/orders/{order['order_id']}/refunds",
                                  headers=seller, json={"order_item_ids": [item],
                                                        "reason": "scratched"})
    assert refund.status_code == 201 and refund.json["data"]["amount"] == "258.00"
    listed = client.simulate_get("/api/v1/seller/refunds", headers=seller,
                                 params={"from": "2026-01-01", "to": "2026-01-31"})
    assert [r["refund_id"] for r in listed.json["data"]["refunds"]] \
        == [refund.json["data"]["refund_id"]]
    assert client.simulate_get("/api/v1/seller/refunds", headers=ann).status_code == 403
    figures = client.simulate_get("/api/v1/seller/analytics", headers=seller,
                                  params={"from": "2026-01-01", "to": "2026-01-31"})
    assert (figures.json["data"]["units"], figures.json["data"]["revenue"]) \
        == (2, {"USD": "258.00"})
    low = client.simulate_get("/api/v1/seller/inventory", headers=seller,
                              params={"low": "true"}).json["data"]["inventory"]
    assert [r["sku"] for r in low] == []  # 5 - 2 sold = 3 left, above the level of 1


def test_a_seller_adds_variants_and_lists_their_withdrawn_products_too(
        client: testing.TestClient, people: dict[str, dict[str, str]]) -> None:
    admin, seller = people["admin"], people["seller"]
    category = client.simulate_post("/api/v1/admin/categories", headers=admin,
                                    json={"name": "Lamps"}).json["data"]["category_id"]
    product = client.simulate_post("/api/v1/products", headers=seller, json={
        "name": "Arc lamp", "category_id": category,
        "variants": [{"sku": "ARC-S", "price": "99", "options": {"size": "S"}}]}).json["data"]
    path = f"/api/v1/products/{product['product_id']}"
    added = client.simulate_post(f"{path}/variants", headers=seller, json={
        "sku": "ARC-L", "price": "129.50", "options": {"size": "L"}, "stock": 4})
    assert added.status_code == 201, added.json
    assert [(v["sku"], v["available"]) for v in added.json["data"]["variants"]] \
        == [("ARC-S", 0), ("ARC-L", 4)]
    clash = client.simulate_post(f"{path}/variants", headers=seller,
                                 json={"sku": "ARC-L", "price": 1, "options": {"size": "XL"}})
    assert clash.status_code == 422 and error(clash)["details"] == {"variants": "duplicate SKU"}
    no_price = client.simulate_post(f"{path}/variants", headers=seller, json={"sku": "ARC-X"})
    assert no_price.status_code == 422 and error(no_price)["code"] == "validation_error"
    client.simulate_put(path, headers=seller, json={"is_active": False})
    assert client.simulate_get(path).status_code == 404
    mine = client.simulate_get("/api/v1/seller/products", headers=seller).json["data"]
    assert mine["total_count"] == 1
    assert mine["products"][0]["is_active"] is False
    assert len(mine["products"][0]["variants"]) == 2
    one = client.simulate_get(f"/api/v1/seller/products/{product['product_id']}",
                              headers=seller).json["data"]
    assert one == mine["products"][0] and one["own_attributes"] == {}
    assert client.simulate_get(f"/api/v1/seller/products/{product['product_id']}",
                               headers=people["ann"]).status_code == 403
    assert client.simulate_get("/api/v1/seller/products",
                               headers=people["ann"]).status_code == 403


def test_admins_manage_users_categories_fraud_and_reviews(
        client: testing.TestClient, shop: Commerce, people: dict[str, dict[str, str]]) -> None:
    admin, seller, ann = people["admin"], people["seller"], people["ann"]
    assert client.simulate_get("/api/v1/admin/users", headers=ann).status_code == 403
    staff = client.simulate_post("/api/v1/admin/users", headers=admin, json={
        "email": "sam@example.com", "password": "cobalt-horse-42", "name": "Sam",
        "role": "admin"})
    assert staff.status_code == 201 and staff.json["data"]["role"] == "admin"
    staff_id = staff.json["data"]["user_id"]
    assert client.simulate_get(f"/api/v1/admin/users/{staff_id}",
                               headers=admin).json["data"]["email"] == "sam@example.com"
    assert client.simulate_post("/api/v1/admin/users", headers=seller, json={
        "email": "me@example.com", "password": "cobalt-horse-42", "name": "Me",
        "role": "admin"}).status_code == 403
    # the admin area is declared for admins: refused before anything is looked up
    assert client.simulate_get(f"/api/v1/admin/users/{staff_id}",
                               headers=seller).status_code == 403
    assert client.simulate_get("/api/v1/admin/dashboard", headers=seller).status_code == 403
    users = client.simulate_get("/api/v1/admin/users", headers=admin,
                                params={"role": "customer"}).json["data"]["users"]
    ann_id = next(u["user_id"] for u in users if u["email"] == "ann@example.com")
    off = client.simulate_put(f"/api/v1/admin/users/{ann_id}", headers=admin,
                              json={"is_active": False})
    assert off.json["data"]["is_active"] is False
    assert client.simulate_get("/api/v1/cart", headers=ann).status_code == 401
    bad = client.simulate_put(f"/api/v1/admin/users/{ann_id}", headers=admin,
                              json={"nickname": "x"})
    assert bad.status_code == 422
    root = client.simulate_post("/api/v1/admin/categories", headers=admin,
                                json={"name": "Home"}).json["data"]["category_id"]
    child = client.simulate_post("/api/v1/admin/categories", headers=admin,
                                 json={"name": "Rugs", "parent_id": root}).json["data"]
    in_use = client.simulate_delete(f"/api/v1/admin/categories/{root}", headers=admin)
    assert in_use.status_code == 409 and error(in_use)["code"] == "conflict"
    moved = client.simulate_put(f"/api/v1/admin/categories/{child['category_id']}",
                                headers=admin, json={"parent_id": None, "name": "Carpets"})
    assert moved.json["data"] == {"category_id": child["category_id"], "name": "Carpets",
                                  "parent_id": None}
    assert client.simulate_delete(f"/api/v1/admin/categories/{root}",
                                  headers=admin).status_code == 204
    queue = client.simulate_get("/api/v1/admin/fraud", headers=admin).json["data"]
    assert queue == {"orders": [], "total_count": 0}
    dashboard = client.simulate_get("/api/v1/admin/dashboard", headers=admin)
    assert dashboard.json["data"]["orders"] == 0


def test_customer_pages(client: testing.TestClient, shop: Commerce,
                        people: dict[str, dict[str, str]]) -> None:
    ann = people["ann"]
    added = client.simulate_post("/api/v1/users/me/addresses", headers=ann,
                                 json={"address": ADDRESS, "label": "home"})
    assert added.status_code == 201 and added.json["data"]["is_default_shipping"] is True
    address_id = added.json["data"]["address_id"]
    listed = client.simulate_get("/api/v1/users/me/addresses", headers=ann).json["data"]
    assert [a["label"] for a in listed["addresses"]] == ["home"]
    eve = sign_up(client, "eve@example.com")[0]
    assert client.simulate_delete(f"/api/v1/users/me/addresses/{address_id}",
                                  headers=eve).status_code == 404
    assert client.simulate_delete(f"/api/v1/users/me/addresses/{address_id}",
                                  headers=ann).status_code == 204
    category = client.simulate_post("/api/v1/admin/categories", headers=people["admin"],
                                    json={"name": "Lamps"}).json["data"]["category_id"]
    product = client.simulate_post("/api/v1/products", headers=people["seller"], json={
        "name": "Lamp", "category_id": category, "price": "20", "sku": "L-1", "stock": 4})
    product_id = product.json["data"]["product_id"]
    assert client.simulate_post("/api/v1/wishlist", headers=ann,
                                json={"product_id": product_id}).status_code == 201
    assert client.simulate_post("/api/v1/wishlist", headers=ann,
                                json={"product_id": product_id}).status_code == 200
    moved = client.simulate_post(f"/api/v1/wishlist/{product_id}/move-to-cart", headers=ann,
                                 json={"quantity": 2})
    assert moved.json["data"]["items"][0]["quantity"] == 2
    assert client.simulate_get("/api/v1/wishlist", headers=ann).json["data"]["total_count"] == 0
    client.simulate_get(f"/api/v1/products/{product_id}", headers=ann)
    activity = client.simulate_get("/api/v1/users/me/activity", headers=ann).json["data"]
    assert activity["viewed_products"][0]["product_id"] == str(product_id)
    client.simulate_post("/api/v1/orders", headers=ann, json={
        "shipping_address": ADDRESS, "payment_token": "tok_visa"})
    inbox = client.simulate_get("/api/v1/users/me/notifications", headers=ann).json["data"]
    assert inbox["total_count"] == 2
    first = inbox["notifications"][0]["notification_id"]
    read = client.simulate_post(f"/api/v1/users/me/notifications/{first}/read", headers=ann)
    assert read.json["data"]["read"] is True


def test_declared_inputs_are_refused_by_field_and_amounts_go_out_exact(
        client: testing.TestClient, shop: Commerce, people: dict[str, dict[str, str]]) -> None:
    admin, ann = people["admin"], people["ann"]
    category = client.simulate_post("/api/v1/admin/categories", headers=admin,
                                    json={"name": "Lamps"}).json["data"]["category_id"]
    product_id = client.simulate_post("/api/v1/products", headers=people["seller"], json={
        "name": "Lamp", "category_id": category, "price": "20.5", "sku": "L-1",
        "stock": 4}).json["data"]["product_id"]
    client.simulate_post("/api/v1/wishlist", headers=ann, json={"product_id": str(product_id)})
    kept = client.simulate_get("/api/v1/wishlist", headers=ann).json["data"]["items"][0]
    assert (kept["product_id"], kept["price"], kept["currency"]) \
        == (str(product_id), "20.50", "USD")
    for path, body, field in (
            (f"/api/v1/wishlist/{product_id}/move-to-cart", {"quantity": 0}, "quantity"),
            ("/api/v1/users/me/addresses", {"address": {"line1": 5}}, "address.line1"),
            ("/api/v1/users/me/addresses", {"label": "x"}, "address")):
        refused = client.simulate_post(path, headers=ann, json=body)
        assert refused.status_code == 422 and field in error(refused)["details"], body
    user_id = client.simulate_get("/api/v1/users/me", headers=ann).json["data"]["user_id"]
    for body, field in (({"role": "owner"}, "role"), ({"is_active": "no"}, "is_active"),
                        ({}, "body")):
        refused = client.simulate_put(f"/api/v1/admin/users/{user_id}", headers=admin,
                                      json=body)
        assert refused.status_code == 422 and field in error(refused)["details"], body
    unchanged = client.simulate_put(f"/api/v1/admin/categories/{category}", headers=admin,
                                    json={})
    assert unchanged.status_code == 422 and "body" in error(unchanged)["details"]
    queue = client.simulate_get("/api/v1/admin/fraud", headers=admin,
                                params={"status": "LOST"})
    assert queue.status_code == 422 and "status" in error(queue)["details"]
    client.simulate_post("/api/v1/cart/items", headers=ann, json={"product_id": product_id})
    client.simulate_post("/api/v1/orders", headers=ann, json={
        "shipping_address": ADDRESS, "payment_token": "tok_visa"})
    figures = client.simulate_get("/api/v1/admin/dashboard", headers=admin).json["data"]
    assert figures["orders"] == 1
    paid = shop.analytics.dashboard(actor_of(shop, admin), date.fromisoformat(figures["start"]),
                                    date.fromisoformat(figures["end"])).gmv["USD"]
    assert figures["gmv"] == {"USD": f"{paid:.2f}"}
    assert figures["top_categories"][0]["category_id"] == category


def test_the_seller_operations_check_their_input_by_its_declared_type(
        client: testing.TestClient, shop: Commerce, people: dict[str, dict[str, str]]) -> None:
    admin, seller = people["admin"], people["seller"]
    category = client.simulate_post("/api/v1/admin/categories", headers=admin,
                                    json={"name": "Lamps"}).json["data"]["category_id"]
    wrong = client.simulate_post("/api/v1/products", headers=seller, json={
        "name": "Arc lamp", "category_id": category,
        "variants": [{"sku": "ARC-1", "price": "12.5.0"}]})
    assert wrong.status_code == 422
    assert error(wrong)["details"] == {"variants.0.price": "a plain decimal number like 12.50"}
    typo = client.simulate_post("/api/v1/products", headers=seller, json={
        "name": "Arc lamp", "category_id": category, "price": "5", "sku": "A-1", "colour": "red"})
    assert (typo.status_code, error(typo)["details"]) == (422, {"colour": "unknown field"})
    no_stock = client.simulate_post("/api/v1/products", headers=seller, json={
        "name": "Arc lamp", "category_id": category, "price": "5", "stock": -1})
    assert error(no_stock)["details"] == {"stock": "at least 0"}
    nothing = client.simulate_post("/api/v1/products", headers=seller,
                                   json={"name": "Arc lamp", "category_id": category})
    assert error(nothing)["details"] == {"variants": "required"}
    assert shop.catalog.list_products().total_count == 0  # nothing made by any of them
    made = client.simulate_post("/api/v1/products", headers=seller, json={
        "name": "Arc lamp", "category_id": int(category), "price": 99.5, "sku": "A-1",
        "stock": 2}).json["data"]
    assert (made["category_id"], made["price"], made["variants"][0]["price"]) \
        == (str(category), "99.50", "99.50")
    assert isinstance(made["product_id"], str) and made["seller"]["name"] is None  # no store
    variant = made["variants"][0]["variant_id"]
    unreasoned = client.simulate_put(f"/api/v1/inventory/{variant}", headers=seller,
                                     json={"adjust": -1})
    assert (unreasoned.status_code, error(unreasoned)["details"]) == (422, {"reason": "required"})
    assert shop.inventory.stock(actor_of(shop, seller), int(variant)).available == 2
    status = client.simulate_get("/api/v1/seller/orders", headers=seller,
                                 params={"status": "LOST"})
    assert (status.status_code, error(status)["details"]) \
        == (422, {"status": "one of the documented values"})
    period = client.simulate_get("/api/v1/seller/analytics", headers=seller,
                                 params={"from": "yesterday"})
    assert error(period)["details"] == {"from": "an ISO 8601 date or datetime"}
    # the path's GET is still the browsing one, beside the seller's PUT
    assert client.simulate_get(f"/api/v1/products/{made['product_id']}").status_code == 200
    spec = client.simulate_get("/openapi.json").json
    assert {m: spec["paths"]["/api/v1/products/{product_id}"][m].get("operationId")
            for m in ("get", "put")}["put"] == "change_product"
    assert spec["paths"]["/api/v1/seller/orders/{order_id}/refunds"]["post"][
        "operationId"] == "refund_items"
