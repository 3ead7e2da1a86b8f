"""Browsing, the cart and orders over HTTP, with their error paths."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from falcon import testing

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.address import Address
from commerce_core.facade import Commerce
from commerce_core.payments.ports import ChargeRequest, ChargeResult
from commerce_core.pricing.coupons import Coupon, CouponKind
from tests.conftest import ADMIN, HOME, SELLER, add_product
from tests.http.conftest import actor_of, error, sign_up

ADDRESS = {"address_line_1": "1 Main St", "city": "Springfield", "postal_code": "12345",
           "country": "US", "state": "IL"}


def stocked(shop: Commerce, stock: int = 10) -> int:
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    return add_product(shop, category, "Desk lamp", ["49.90"], stock=stock).id


def test_product_list_detail_and_categories(client: testing.TestClient, shop: Commerce) -> None:
    product_id = stocked(shop)
    listing = client.simulate_get("/api/v1/products", params={"search": "lamp",
                                                             "sort": "price_asc"})
    data = listing.json["data"]
    assert [p["product_id"] for p in data["products"]] == [str(product_id)]
    assert data["products"][0]["price"] == "49.90" and data["pagination"]["total_count"] == 1
    assert (data["total_count"], data["page"], data["limit"]) == (1, 1, 20)
    detail = client.simulate_get(f"/api/v1/products/{product_id}")
    assert detail.json["data"]["availability"] == {"in_stock": True, "quantity": 10}
    assert client.simulate_get("/api/v1/categories").json["data"]["categories"][0]["name"] \
        == "Lamps"
    for bad in ({"sort": "loudest"}, {"limit": "1000"}, {"page": "0"}, {"min_price": "cheap"},
                {"in_stock": "maybe"}, {"category_id": "lamps"}, {"rating_min": "6"},
                {"min_price": "-1"}, {"max_price": "NaN"}, {"seller_id": "0"}):
        refused = client.simulate_get("/api/v1/products", params=bad)
        assert refused.status_code == 422, bad
        assert set(error(refused)["details"]) & set(bad), bad
    shop.catalog.deactivate_product(SELLER, product_id)
    assert client.simulate_get(f"/api/v1/products/{product_id}").status_code == 404


def test_the_seeds_filter_names_filter(client: testing.TestClient, shop: Commerce) -> None:
    lamps = shop.catalog.create_category(ADMIN, "Lamps").id
    kettles = shop.catalog.create_category(ADMIN, "Kettles").id
    lamp = add_product(shop, lamps, "Desk lamp", ["49.90"]).id
    kettle = add_product(shop, kettles, "Kettle", ["20.00"]).id
    headers, _ = sign_up(client, "ann@example.com")
    shop.reviews.write(actor_of(shop, headers), kettle, 4, "Fine")

    def listed(**query: str) -> list[str]:
        found = client.simulate_get("/api/v1/products", params=query)
        assert found.status_code == 200, found.json
        return [p["product_id"] for p in found.json["data"]["products"]]

    assert sorted(listed()) == sorted([str(lamp), str(kettle)])
    assert listed(category_id=str(lamps)) == listed(category=str(lamps)) == [str(lamp)]
    assert listed(rating_min="4") == listed(rating="4") == [str(kettle)]
    assert listed(rating_min="4.5") == []
    assert listed(seller_id=str(SELLER.user_id), category_id=str(kettles)) == [str(kettle)]
    both = client.simulate_get("/api/v1/products",
                               params={"category_id": str(lamps), "category": str(kettles)})
    assert both.status_code == 422 and "category_id" in error(both)["details"]


def test_products_name_their_seller_and_its_rating(client: testing.TestClient,
                                                   shop: Commerce) -> None:
    product_id = stocked(shop)
    anonymous = {"seller_id": str(SELLER.user_id), "name": None, "rating": None}
    detail = client.simulate_get(f"/api/v1/products/{product_id}").json["data"]
    assert detail["seller"] == anonymous and detail["rating"] is None
    shop.sellers.create_profile(SELLER, "Lamp House")
    headers, _ = sign_up(client, "ann@example.com")
    shop.reviews.write(actor_of(shop, headers), product_id, 4, "Good")
    detail = client.simulate_get(f"/api/v1/products/{product_id}").json["data"]
    assert detail["seller"] == {"seller_id": str(SELLER.user_id), "name": "Lamp House",
                                "rating": 4.0}
    assert detail["rating"] == 4.0 and detail["reviews_count"] == 1
    entry = client.simulate_get("/api/v1/products").json["data"]["products"][0]
    assert entry["seller"] == detail["seller"] and entry["rating"] == 4.0
    assert entry["seller_id"] == str(SELLER.user_id)


def test_cart_add_update_delete(client: testing.TestClient, shop: Commerce) -> None:
    product_id = stocked(shop, stock=5)
    headers, _ = sign_up(client, "ann@example.com")
    added = client.simulate_post("/api/v1/cart/items", headers=headers,
                                 json={"product_id": product_id, "quantity": 2})
    assert added.status_code == 201 and added.json["data"]["subtotal"] == "99.80"
    item_id = added.json["data"]["items"][0]["cart_item_id"]
    for bad, field in (({"product_id": product_id, "quantity": -1}, "quantity"),
                       ({"product_id": product_id, "quantity": 10**9}, "quantity"),
                       ({"product_id": "lamp"}, "product_id"),
                       ({"product_id": product_id, "selected_attributes": [1]},
                        "selected_attributes")):
        refused = client.simulate_post("/api/v1/cart/items", headers=headers, json=bad)
        assert refused.status_code == 422 and field in error(refused)["details"], bad
    too_many = client.simulate_post("/api/v1/cart/items", headers=headers,
                                    json={"product_id": product_id, "quantity": 4})
    assert too_many.status_code == 409 and error(too_many)["code"] == "insufficient_stock"
    cart = client.simulate_get("/api/v1/cart", headers=headers).json["data"]
    assert [i["quantity"] for i in cart["items"]] == [2]  # refusals changed nothing
    updated = client.simulate_put(f"/api/v1/cart/items/{item_id}", headers=headers,
                                  json={"quantity": 3})
    assert updated.json["data"]["items"][0]["quantity"] == 3
    gone = client.simulate_delete(f"/api/v1/cart/items/{item_id}", headers=headers)
    assert gone.status_code == 204 and not gone.content


def test_checkout_is_idempotent_and_orders_are_private(client: testing.TestClient,
                                                       shop: Commerce) -> None:
    product_id = stocked(shop)
    ann, _ = sign_up(client, "ann@example.com")
    eve, _ = sign_up(client, "eve@example.com")
    client.simulate_post("/api/v1/cart/items", headers=ann, json={"product_id": product_id})
    body = {"shipping_address": ADDRESS, "payment_token": "tok_visa"}
    keyed = {**ann, "Idempotency-Key": "order-1"}
    first = client.simulate_post("/api/v1/orders", headers=keyed, json=body)
    assert first.status_code == 201, first.json
    order = first.json["data"]
    assert order["status"] == "CONFIRMED" and order["payment"]["status"] == "COMPLETED"
    again = client.simulate_post("/api/v1/orders", headers=keyed, json=body)
    assert again.json["data"]["order_id"] == order["order_id"]
    other = client.simulate_post("/api/v1/orders", headers=keyed,
                                 json={**body, "payment_token": "tok_other"})
    assert other.status_code == 409
    order_id = order["order_id"]
    assert client.simulate_get(f"/api/v1/orders/{order_id}", headers=eve).status_code == 404
    history = client.simulate_get("/api/v1/orders", headers=ann,
                                  params={"status": "confirmed"}).json["data"]
    assert [o["order_id"] for o in history["orders"]] == [order_id]
    timeline = client.simulate_get(f"/api/v1/orders/{order_id}/timeline", headers=ann)
    events = [e["event"] for e in timeline.json["data"]["timeline"]]
    assert events[:2] == ["ORDER_PLACED", "PAYMENT_CONFIRMED"]
    assert client.simulate_put(f"/api/v1/orders/{order_id}/cancel", headers=eve,
                               json={}).status_code == 404
    cancelled = client.simulate_put(f"/api/v1/orders/{order_id}/cancel", headers=ann,
                                    json={"reason": "changed my mind"})
    assert cancelled.json["data"]["status"] == "CANCELLED"
    assert cancelled.json["data"]["payment_status"] == "REFUNDED"


def test_a_twin_of_a_running_checkout_gets_409_with_retry_after(
        client: testing.TestClient, shop: Commerce, gateway: FakeGateway) -> None:
    product_id = stocked(shop)
    ann, _ = sign_up(client, "ann@example.com")
    client.simulate_post("/api/v1/cart/items", headers=ann, json={"product_id": product_id})
    keyed = {**ann, "Idempotency-Key": "order-twin"}
    body = {"shipping_address": ADDRESS, "payment_token": "tok_visa"}
    twins: list[Any] = []
    real = gateway.charge

    def charge(request: ChargeRequest) -> ChargeResult:
        twins.append(client.simulate_post("/api/v1/orders", headers=keyed, json=body))
        return real(request)

    gateway.charge = charge  # type: ignore[method-assign]
    first = client.simulate_post("/api/v1/orders", headers=keyed, json=body)
    gateway.charge = real  # type: ignore[method-assign]
    assert first.status_code == 201 and first.json["data"]["status"] == "CONFIRMED"
    (twin,) = twins
    assert twin.status_code == 409 and int(twin.headers["Retry-After"]) >= 1
    assert error(twin)["code"] == "idempotency_in_progress"
    after = client.simulate_post("/api/v1/orders", headers=keyed, json=body)
    assert after.status_code == 201 and after.json["data"] == first.json["data"]


def test_checkout_errors(client: testing.TestClient, shop: Commerce) -> None:
    product_id = stocked(shop)
    ann, _ = sign_up(client, "ann@example.com")
    empty = client.simulate_post("/api/v1/orders", headers=ann,
                                 json={"shipping_address": ADDRESS})
    assert empty.status_code == 422 and error(empty)["details"] == {"cart": "empty"}
    client.simulate_post("/api/v1/cart/items", headers=ann, json={"product_id": product_id})
    no_address = client.simulate_post("/api/v1/orders", headers=ann, json={})
    assert no_address.status_code == 422 and "shipping_address" in error(no_address)["details"]
    bad_country = client.simulate_post("/api/v1/orders", headers=ann, json={
        "shipping_address": {**ADDRESS, "country": "USA"}})
    assert bad_country.status_code == 422
    assert error(bad_country)["details"] == {"shipping_address.country": "expected 2 letters"}
    declined = client.simulate_post("/api/v1/orders", headers=ann, json={
        "shipping_address": ADDRESS, "payment_token": "tok_chargeDeclined"})
    assert declined.status_code == 402 and error(declined)["code"] == "payment_declined"


def test_an_order_to_a_saved_address_with_a_coupon_given_with_it(
        client: testing.TestClient, shop: Commerce) -> None:
    product_id = stocked(shop)
    shop.add_coupon(ADMIN, Coupon("SAVE10", CouponKind.PERCENT, Decimal(10)))
    ann, _ = sign_up(client, "ann@example.com")
    eve, _ = sign_up(client, "eve@example.com")
    home = shop.accounts.add_address(actor_of(shop, ann), Address(
        "9 Elm St", "Shelbyville", "54321", "US", region="IL"), "home").id
    theirs = shop.accounts.add_address(actor_of(shop, eve), HOME).id
    client.simulate_post("/api/v1/cart/items", headers=ann, json={"product_id": product_id})
    for bad, field in (({"shipping_address_id": str(home), "coupon_code": "NOPE"}, "coupon_code"),
                       ({"shipping_address_id": str(theirs)}, "shipping_address_id"),
                       ({"shipping_address_id": home, "shipping_address": ADDRESS},
                        "shipping_address_id"),
                       ({"shipping_address_id": "home"}, "shipping_address_id"),
                       ({"shipping_address_id": home, "billing_address_id": theirs},
                        "billing_address_id")):
        refused = client.simulate_post("/api/v1/orders", headers=ann, json=bad)
        assert refused.status_code == 422 and field in error(refused)["details"], bad
    history = client.simulate_get("/api/v1/orders", headers=ann).json["data"]
    assert history["total_count"] == 0  # nothing placed
    placed = client.simulate_post("/api/v1/orders", headers=ann, json={
        "shipping_address_id": str(home), "coupon_code": "save10", "payment_token": "tok_visa"})
    assert placed.status_code == 201, placed.json
    order = placed.json["data"]
    assert (order["coupon_code"], order["discount"], order["total_amount"]) == (
        "SAVE10", "4.99", "44.91")
    assert order["shipping_address"]["line1"] == "9 Elm St"
    assert order["billing_address"] == order["shipping_address"]


def test_ids_are_strings_and_amounts_keep_their_decimals(client: testing.TestClient,
                                                         shop: Commerce) -> None:
    product_id = stocked(shop)
    ann, user_id = sign_up(client, "ann@example.com")
    cart = client.simulate_post("/api/v1/cart/items", headers=ann,
                                json={"product_id": str(product_id), "quantity": 2}).json["data"]
    (line,) = cart["items"]
    assert line["product_id"] == str(product_id) and line["unit_price"] == "49.90"
    assert (cart["subtotal"], line["total_price"]) == ("99.80", "99.80")
    order = client.simulate_post("/api/v1/orders", headers=ann, json={
        "shipping_address": ADDRESS, "payment_token": "tok_visa"}).json["data"]
    assert order["order_id"].isdigit() and order["user_id"] == str(user_id)
    assert order["items"][0]["total_price"] == "99.80"
    assert order["payment"]["amount"] == order["total_amount"] == "99.80"
    assert order["requires_action"] is False and order["client_secret"] is None
    history = client.simulate_get("/api/v1/orders", headers=ann, params={"limit": "5"})
    data = history.json["data"]
    assert (data["total_count"], data["page"], data["limit"]) == (1, 1, 5)
    assert data["pagination"] == {"page": 1, "limit": 5, "total_count": 1}
    timeline = client.simulate_get(f"/api/v1/orders/{order['order_id']}/timeline", headers=ann)
    assert timeline.json["data"]["order_id"] == order["order_id"]
    assert client.simulate_get("/api/v1/cart", headers=ann).json["data"]["total"] is None


def test_a_field_of_the_wrong_type_is_refused_naming_it(client: testing.TestClient,
                                                        shop: Commerce) -> None:
    product_id = stocked(shop)
    ann, _ = sign_up(client, "ann@example.com")
    client.simulate_post("/api/v1/cart/items", headers=ann, json={"product_id": product_id})
    for method, path, body, field in (
            ("POST", "/api/v1/cart/items", {"product_id": product_id, "quantity": "two"},
             "quantity"),
            ("PUT", "/api/v1/cart/items/1", {"quantity": 0}, "quantity"),
            ("POST", "/api/v1/cart/apply-coupon", {"coupon_code": 10}, "coupon_code"),
            ("POST", "/api/v1/orders", {"shipping_address": {**ADDRESS, "city": 5}},
             "shipping_address.city"),
            ("POST", "/api/v1/orders", {"shipping_address": ADDRESS, "gift_wrap": True},
             "gift_wrap"),
            ("POST", "/api/v1/orders", {"shipping_address": {**ADDRESS, "city": ""}},
             "shipping_address.city"),
            ("PUT", "/api/v1/orders/1/cancel", {"reason": "x" * 501}, "reason")):
        refused = client.simulate_request(method, path, headers=ann, json=body)
        assert refused.status_code == 422 and field in error(refused)["details"], (path, body)
    for params, field in (({"status": "lost"}, "status"), ({"from_date": "yesterday"},
                                                           "from_date"),
                          ({"limit": "0"}, "limit")):
        refused = client.simulate_get("/api/v1/orders", headers=ann, params=params)
        assert refused.status_code == 422 and field in error(refused)["details"], params
    cart = client.simulate_get("/api/v1/cart", headers=ann).json["data"]
    assert [i["quantity"] for i in cart["items"]] == [1]  # refusals changed nothing


def test_listings_page_deep_by_cursor_and_say_whether_the_total_is_exact(
        client: testing.TestClient, shop: Commerce) -> None:
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    made = [add_product(shop, category, f"Lamp {n}").id for n in range(3)]
    first = client.simulate_get("/api/v1/products", params={"limit": 1}).json["data"]
    assert first["total_exact"] is True and first["total_count"] == 3
    seen = [first["products"][0]["product_id"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.simulate_get("/api/v1/products", params={
            "limit": 1, "cursor": cursor}).json["data"]
        seen += [p["product_id"] for p in page["products"]]
        cursor = page["next_cursor"]
    assert seen == [str(i) for i in reversed(made)]  # newest first, each once
    forged = client.simulate_get("/api/v1/products", params={"cursor": "not-a-cursor"})
    assert forged.status_code == 422 and "cursor" in forged.json["error"]["details"]
