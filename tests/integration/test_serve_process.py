"""``commerce serve`` as a real process on a free port: a customer's whole visit over HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from commerce_adapters import connect
from commerce_core.catalog.service import VariantSpec
from tests.conftest import ADMIN, SECRET, SELLER
from tests.serving import served

ADDRESS = {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345",
           "country": "US"}


def call(base: str, method: str, path: str, body: Any = None,
         token: str | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers=headers or {})
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as ex:
        return ex.code, json.loads(ex.read() or b"null")


def test_register_login_browse_buy_and_see_the_order(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    seeded = connect(url, secret_key=SECRET)
    category = seeded.catalog.create_category(ADMIN, "Lamps").id
    seeded.catalog.create_product(SELLER, name="Desk lamp", category_id=category,
                                  variants=[VariantSpec("LAMP-1", "49.90", stock=5)])
    with served(url) as base:
        assert call(base, "POST", "/api/v1/users/register", {
            "email": "ann@example.com", "password": "correct-horse-42", "name": "Ann"})[0] == 201
        status, login = call(base, "POST", "/api/v1/auth/login",
                             {"email": "ann@example.com", "password": "correct-horse-42"})
        token = login["data"]["access_token"]
        products = call(base, "GET", "/api/v1/products?search=lamp")[1]["data"]["products"]
        product_id = products[0]["product_id"]
        for _ in range(4):  # several requests: both workers accept the same token
            assert call(base, "GET", "/api/v1/cart", token=token)[0] == 200
        assert call(base, "POST", "/api/v1/cart/items", {"product_id": product_id,
                                                         "quantity": 2}, token)[0] == 201
        status, placed = call(base, "POST", "/api/v1/orders",
                              {"shipping_address": ADDRESS, "payment_token": "tok_visa"}, token)
        assert status == 201 and placed["data"]["status"] == "CONFIRMED"
        history = call(base, "GET", "/api/v1/orders", token=token)[1]["data"]["orders"]
        assert [o["order_id"] for o in history] == [placed["data"]["order_id"]]
