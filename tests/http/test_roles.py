"""The role matrix over HTTP (the core's matrix covers every use case; this checks the API
passes identities through and maps refusals: 401 anonymous, 403 wrong role, 404 not yours),
and Idempotency-Key under concurrency."""

from __future__ import annotations

from typing import Any

import pytest
from falcon import testing

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.facade import Commerce
from tests.concurrency import run_together
from tests.conftest import ADMIN, add_product
from tests.http.conftest import sign_up
from tests.http.test_payments_reviews import admin_headers
from tests.http.test_shopping import ADDRESS


@pytest.fixture
def world(client: testing.TestClient, shop: Commerce) -> dict[str, Any]:
    people = {"admin": admin_headers(client, shop),
              "seller": sign_up(client, "lamps@example.com", role="seller")[0],
              "buyer": sign_up(client, "ann@example.com")[0],
              "other": sign_up(client, "eve@example.com")[0],
              "anonymous": {}}
    seller = shop.accounts.authenticate(people["seller"]["Authorization"].split()[1])
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    product = add_product(shop, category, "Lamp", stock=20, seller=seller)
    client.simulate_post("/api/v1/cart/items", headers=people["buyer"],
                         json={"product_id": product.id})
    order = client.simulate_post("/api/v1/orders", headers=people["buyer"], json={
        "shipping_address": ADDRESS, "payment_token": "tok_visa"}).json["data"]
    return {"people": people, "order": order["order_id"], "product": product.id,
            "variant": product.variants[0].id}


CASES = [  # method, path, body, status for: admin, seller, buyer, other, anonymous
    ("GET", "/api/v1/orders/{order}", None, (200, 404, 200, 404, 401)),
    ("GET", "/api/v1/orders/{order}/timeline", None, (200, 404, 200, 404, 401)),
    ("GET", "/api/v1/inventory/{variant}", None, (200, 200, 403, 403, 401)),
    ("PUT", "/api/v1/seller/variants/{variant}/price", {"price": "21.00"},
     (200, 200, 403, 403, 401)),
    ("GET", "/api/v1/seller/orders", None, (200, 200, 403, 403, 401)),
    ("GET", "/api/v1/admin/users", None, (200, 403, 403, 403, 401)),
    ("GET", "/api/v1/admin/dashboard", None, (200, 403, 403, 403, 401)),
    ("GET", "/api/v1/admin/fraud", None, (200, 403, 403, 403, 401)),
    ("POST", "/api/v1/admin/categories", {"name": "Rugs {who}"}, (201, 403, 403, 403, 401)),
    ("GET", "/api/v1/products/{product}", None, (200, 200, 200, 200, 200)),
]
WHO = ("admin", "seller", "buyer", "other", "anonymous")


@pytest.mark.parametrize(("method", "path", "body", "expected"), CASES,
                         ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_role_matrix(client: testing.TestClient, world: dict[str, Any], method: str,
                     path: str, body: dict[str, str] | None, expected: tuple[int, ...]) -> None:
    url = path.format(**world)
    got = []
    for who in WHO:
        payload = None if body is None else {k: v.format(who=who) for k, v in body.items()}
        got.append(client.simulate_request(method, url, headers=world["people"][who],
                                           json=payload).status_code)
    assert tuple(got) == expected


def test_concurrent_requests_with_one_key_charge_once(
        client: testing.TestClient, shop: Commerce, gateway: FakeGateway) -> None:
    buyer, _ = sign_up(client, "ann@example.com")
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    product = add_product(shop, category, "Lamp", stock=20)
    client.simulate_post("/api/v1/cart/items", headers=buyer, json={"product_id": product.id})
    keyed = {**buyer, "Idempotency-Key": "double-click"}
    body = {"shipping_address": ADDRESS, "payment_token": "tok_visa"}
    results: list[Any] = []

    def place() -> None:
        results.append(client.simulate_post("/api/v1/orders", headers=keyed, json=body))

    assert run_together([place] * 6) == []
    ok = [r for r in results if r.status_code == 201]
    assert ok and {r.json["data"]["order_id"] for r in ok} == {ok[0].json["data"]["order_id"]}
    assert all(r.status_code in (201, 409) for r in results)
    assert gateway.charge_count() == 1
