"""Payments (pay later, 3-D Secure through the webhook, refunds) and reviews over HTTP."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from falcon import testing

from commerce_adapters.fake.payments import FakeGateway
from commerce_core import errors as e
from commerce_core.facade import Commerce
from commerce_http import create_app
from commerce_http.api import accounts, cart, orders, payments
from commerce_http.contract.client import Client
from commerce_http.contract.wire import AmountIn, Id
from tests.conftest import ADMIN, add_product
from tests.http.conftest import PASSWORD, error, sign_up
from tests.http.test_shopping import ADDRESS


def order_waiting_for_payment(client: testing.TestClient, shop: Commerce,
                              headers: dict[str, str]) -> int:
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    product = add_product(shop, category, "Desk lamp", ["49.90"])
    client.simulate_post("/api/v1/cart/items", headers=headers, json={"product_id": product.id})
    placed = client.simulate_post("/api/v1/orders", headers=headers,
                                  json={"shipping_address": ADDRESS})
    assert placed.json["data"]["status"] == "PENDING"
    order_id = int(placed.json["data"]["order_id"])
    return order_id


def admin_headers(client: testing.TestClient, shop: Commerce) -> dict[str, str]:
    shop.accounts.create_admin("root@example.com", PASSWORD, "Root")
    login = client.simulate_post("/api/v1/auth/login",
                                 json={"email": "root@example.com", "password": PASSWORD})
    return {"Authorization": f"Bearer {login.json['data']['access_token']}"}


def test_pay_later_then_refund_by_an_admin(client: testing.TestClient, shop: Commerce) -> None:
    ann, _ = sign_up(client, "ann@example.com")
    order_id = order_waiting_for_payment(client, shop, ann)
    eve, _ = sign_up(client, "eve@example.com")
    stranger = client.simulate_post(f"/api/v1/payments/{order_id}/process", headers=eve,
                                    json={"payment_token": "tok_visa"})
    assert stranger.status_code == 404
    paid = client.simulate_post(f"/api/v1/payments/{order_id}/process", headers=ann,
                                json={"payment_token": "tok_visa"})
    assert paid.json["data"]["order"]["status"] == "CONFIRMED"
    payment_id = paid.json["data"]["payment"]["payment_id"]
    assert client.simulate_get(f"/api/v1/payments/{payment_id}", headers=ann).status_code == 200
    assert client.simulate_get(f"/api/v1/payments/{payment_id}", headers=eve).status_code == 404
    refused = client.simulate_post(f"/api/v1/payments/{payment_id}/refunds", headers=ann,
                                   json={"amount": 10})
    assert refused.status_code == 403 and error(refused)["code"] == "forbidden"
    admin = admin_headers(client, shop)
    refund = client.simulate_post(f"/api/v1/payments/{payment_id}/refunds", headers=admin,
                                  json={"amount": "10.00", "reason": "goodwill"})
    assert refund.status_code == 201 and refund.json["data"]["amount"] == "10.00"
    too_much = client.simulate_post(f"/api/v1/payments/{payment_id}/refunds", headers=admin,
                                    json={"amount": 1000})
    assert too_much.status_code == 422 and "amount" in error(too_much)["details"]


def test_three_d_secure_finishes_through_the_signed_webhook(
        client: testing.TestClient, shop: Commerce, gateway: FakeGateway) -> None:
    ann, _ = sign_up(client, "ann@example.com")
    order_id = order_waiting_for_payment(client, shop, ann)
    started = client.simulate_post(f"/api/v1/payments/{order_id}/process", headers=ann,
                                   json={"payment_token": "tok_3ds"})
    assert started.json["data"]["requires_action"] is True
    transaction = started.json["data"]["payment"]["transaction_id"]
    body, headers = gateway.complete_action(transaction)
    forged = client.simulate_post("/api/v1/webhooks/stripe", body=body,
                                  headers={"Stripe-Signature": f"t=1,v1={'0' * 64}"})
    assert forged.status_code == 401
    done = client.simulate_post("/api/v1/webhooks/stripe", body=body, headers=headers)
    assert done.status_code == 200 and done.json["data"]["status"] == "CONFIRMED"
    again = client.simulate_post("/api/v1/webhooks/stripe", body=body, headers=headers)
    assert again.status_code == 200 and again.json["data"]["applied"] is False  # settled once


def test_reviews_votes_and_seller_answers(client: testing.TestClient, shop: Commerce) -> None:
    seller, seller_id = sign_up(client, "lamps@example.com", role="seller")
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    product = add_product(shop, category, "Desk lamp", seller=shop.accounts.authenticate(
        seller["Authorization"].split()[1]))
    ann, _ = sign_up(client, "ann@example.com")
    eve, _ = sign_up(client, "eve@example.com")
    url = f"/api/v1/products/{product.id}/reviews"
    written = client.simulate_post(url, headers=ann, json={
        "rating": 5, "title": "Bright", "comment": "Lovely", "images": ["https://i/1.jpg"]})
    assert written.status_code == 201 and written.json["data"]["rating"] == 5
    for bad, field in (({"rating": 6, "title": "x"}, "rating"),
                       ({"rating": "five", "title": "x"}, "rating"), ({"rating": 4}, "title"),
                       ({"rating": 4, "title": "x", "images": "nope"}, "images"),
                       ({"rating": 4, "title": "x", "images": [1]}, "images.0"),
                       ({"rating": 4, "title": "x", "stars": 4}, "stars")):
        refused = client.simulate_post(url, headers=eve, json=bad)
        assert refused.status_code == 422 and field in error(refused)["details"], bad
    client.simulate_post(url, headers=eve, json={"rating": 2, "title": "Dim"})
    review_id = written.json["data"]["review_id"]
    vote = client.simulate_post(f"/api/v1/reviews/{review_id}/votes", headers=eve,
                                json={"helpful": True})
    assert vote.json["data"]["helpful_count"] == 1
    assert client.simulate_post(f"/api/v1/reviews/{review_id}/response", headers=ann,
                                json={"comment": "me too"}).status_code == 403
    answered = client.simulate_post(f"/api/v1/reviews/{review_id}/response", headers=seller,
                                    json={"comment": "Thank you!"})
    assert answered.json["data"]["seller_response"]["comment"] == "Thank you!"
    assert client.simulate_get(url, params={"sort": "best"}).status_code == 422
    listing = client.simulate_get(url, params={"sort": "helpful"}).json["data"]
    assert listing["average_rating"] == 3.5 and listing["total_count"] == 2
    assert listing["distribution"] == {"5": 1, "4": 0, "3": 0, "2": 1, "1": 0}
    assert listing["reviews"][0]["review_id"] == review_id
    assert seller_id > 0


def test_the_typed_client_buys_pays_later_and_reads_the_payment(shop: Commerce) -> None:
    """The buyer's path through the contract's client, with its declared types only."""
    lamp = add_product(shop, shop.catalog.create_category(ADMIN, "Lamps").id, "Desk lamp",
                       ["49.90"])
    client = Client("http://shop.test", transport=httpx.WSGITransport(app=create_app(shop)))
    client.call(accounts.register, body=accounts.Registration(
        email="ann@example.com", password=PASSWORD, name="Ann"))
    client.token = client.call(accounts.login, body=accounts.Credentials(
        email="ann@example.com", password=PASSWORD)).access_token
    added = client.call(cart.add_cart_item, body=cart.NewCartItem(product_id=Id(lamp.id)))
    assert added.total == Decimal("49.90") and str(added.total) == "49.90"
    address = orders.PostalAddressIn(address_line_1="1 Main St", city="Springfield",
                                     postal_code="12345", country="US")
    placed = client.call(orders.place_order, body=orders.NewOrder(shipping_address=address),
                         idempotency_key="typed-1")
    assert (placed.status, placed.payment) == ("PENDING", None)
    paid = client.call(payments.process_payment, body=payments.PaymentIn(
        payment_token="tok_visa", amount=AmountIn(placed.total_amount)), id=placed.order_id,
        idempotency_key="typed-pay-1")
    assert paid.order.status == "CONFIRMED" and paid.payment is not None
    seen = client.call(payments.get_payment, id=paid.payment.payment_id)
    assert (seen.status, seen.amount, seen.order_id) == ("COMPLETED", Decimal("49.90"),
                                                        placed.order_id)
    page = client.call(orders.list_orders, query=orders.OrderHistoryQuery(status="CONFIRMED"))
    assert [o.order_id for o in page.orders] == [placed.order_id]
    detail = client.call(orders.get_order, order_id=placed.order_id)
    assert detail.payment is not None and detail.payment.payment_id == seen.payment_id
    with pytest.raises(e.Forbidden):  # admins only
        client.call(payments.refund_payment, body=payments.RefundIn(), id=seen.payment_id)
