"""Validation at the edge: each class of malformed request the fuzzer found is a 4xx in the
error envelope naming the field, and the shop is unchanged afterwards (re-read)."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from typing import Any

import jwt
import pytest
from falcon import testing

from commerce_core.clock import ManualClock
from commerce_core.facade import Commerce
from commerce_http import api, create_app
from commerce_http.app import HttpSettings
from commerce_http.contract.operation import is_id
from tests.conftest import ADMIN, SECRET, add_product
from tests.http.conftest import error, sign_up
from tests.http.test_payments_reviews import admin_headers
from tests.http.test_shopping import ADDRESS

TOO_BIG = 2**63  # one past the largest id a BIGINT holds


@pytest.fixture
def world(client: testing.TestClient, shop: Commerce) -> dict[str, Any]:
    """An admin, a seller with a product, a buyer with a paid order."""
    seller_headers, seller_id = sign_up(client, "lamps@example.com", role="seller")
    buyer, buyer_id = sign_up(client, "ann@example.com")
    seller = shop.accounts.authenticate(seller_headers["Authorization"].split()[1])
    product = add_product(shop, shop.catalog.create_category(ADMIN, "Lamps").id, "Lamp",
                          stock=20, seller=seller)
    client.simulate_post("/api/v1/cart/items", headers=buyer, json={"product_id": product.id})
    order = client.simulate_post("/api/v1/orders", headers=buyer, json={
        "shipping_address": ADDRESS, "payment_token": "tok_visa"}).json["data"]
    return {"admin": admin_headers(client, shop), "seller": seller_headers, "buyer": buyer,
            "buyer_id": buyer_id, "seller_id": seller_id, "product": product.id,
            "variant": product.variants[0].id, "order": order["order_id"]}


def refused(result: Any, field: str, status: int = 422) -> dict[str, Any]:
    """The answer is ``status`` in the envelope and its details name ``field``."""
    assert result.status_code == status, (result.status_code, result.text)
    err = error(result)
    assert field in err["details"], err
    return err


def product(client: testing.TestClient, world: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = client.simulate_get(
        f"/api/v1/products/{world['product']}").json["data"]
    return found


def me(client: testing.TestClient, headers: dict[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = client.simulate_get("/api/v1/users/me", headers=headers).json["data"]
    return found


# ids ------------------------------------------------------------------------------------------
ROUTES_WITH_IDS = sorted({(op.path, op.method.lower()) for op in api.OPERATIONS
                            if any(is_id(f) for f in op.path_fields)})


@pytest.mark.parametrize(("path", "method"), ROUTES_WITH_IDS,
                         ids=[f"{m} {p}" for p, m in ROUTES_WITH_IDS])
def test_an_id_out_of_range_in_any_path_is_a_422_naming_it(
        client: testing.TestClient, world: dict[str, Any], path: str, method: str) -> None:
    field = re.findall(r"{(\w+)}", path)[0]
    for bad in (TOO_BIG, 10**30, 0):
        url = re.sub(r"{\w+}", str(bad), path)
        result = client.simulate_request(method.upper(), url, headers=world["admin"])
        refused(result, field)


def test_ids_in_a_body_are_bounded_too(client: testing.TestClient,
                                       world: dict[str, Any]) -> None:
    for body in ({"product_id": TOO_BIG}, {"product_id": -1}):
        refused(client.simulate_post("/api/v1/wishlist", headers=world["buyer"], json=body),
                "product_id")
    refused(client.simulate_post(f"/api/v1/seller/orders/{world['order']}/refunds",
                                 headers=world["seller"],
                                 json={"order_item_ids": [10**30], "reason": "broken"}),
            "order_item_ids.0")  # the entry itself
    refused(client.simulate_put(f"/api/v1/products/{world['product']}",
                                headers=world["seller"], json={"category_id": 10**30}),
            "category_id")
    listed = client.simulate_get("/api/v1/wishlist", headers=world["buyer"]).json["data"]
    assert listed["total_count"] == 0


# pages ----------------------------------------------------------------------------------------
LISTINGS = sorted({op.path for op in api.OPERATIONS
                     if op.method == "GET" and "page" in op.query.__struct_fields__})


@pytest.mark.parametrize("path", LISTINGS)
def test_a_page_past_the_maximum_is_a_422_naming_page(
        client: testing.TestClient, world: dict[str, Any], path: str) -> None:
    if "{code}" in path:  # a coupon's usage: a coupon must exist
        client.simulate_post("/api/v1/coupons", headers=world["admin"], json={
            "code": "PAGED", "kind": "percent", "value": "5"})
    url = path.format(product_id=world["product"], code="PAGED")
    for bad in ("10001", str(10**30), "0", "1.5", " 2"):
        refused(client.simulate_get(url, headers=world["admin"], params={"page": bad}), "page")
    assert client.simulate_get(url, headers=world["admin"],
                               params={"page": "10000"}).status_code == 200


# JSON depth and size -------------------------------------------------------------------------
@pytest.mark.parametrize("depth", [40, 100_000])
def test_a_deeply_nested_body_is_refused(client: testing.TestClient, world: dict[str, Any],
                                         depth: int) -> None:
    body = '{"name": ' + "[" * depth + "]" * depth + "}"
    result = client.simulate_put("/api/v1/users/me", headers={
        **world["buyer"], "Content-Type": "application/json"}, body=body)
    refused(result, "name")  # a string was expected: the decoder stops at the first [
    assert me(client, world["buyer"])["name"] == "Pat Doe"


def _chunked(client: testing.TestClient, path: str, headers: dict[str, str],
             body: bytes) -> testing.Result:
    """A request with ``Transfer-Encoding: chunked`` and no Content-Length, as a server
    hands a chunked body to the application (de-chunked, with no declared length)."""
    env = testing.create_environ(path=path, method="PUT", headers={
        **headers, "Content-Type": "application/json", "Transfer-Encoding": "chunked"})
    env.pop("CONTENT_LENGTH", None)
    env["wsgi.input"] = io.BytesIO(body)
    start = testing.StartResponseMock()
    chunks = client.app(env, start)
    return testing.Result(chunks, start.status or "", start.headers or [])


def test_a_chunked_body_is_read(client: testing.TestClient, world: dict[str, Any]) -> None:
    result = _chunked(client, "/api/v1/users/me", world["buyer"], b'{"name": "Ann Chunk"}')
    assert result.status_code == 200, result.text
    assert me(client, world["buyer"])["name"] == "Ann Chunk"


def test_a_chunked_body_over_the_limit_is_a_413(shop: Commerce,
                                                world: dict[str, Any]) -> None:
    small = testing.TestClient(create_app(shop, HttpSettings(max_body_bytes=1000)))
    body = json.dumps({"name": "x" * 5000}).encode()
    result = _chunked(small, "/api/v1/users/me", world["buyer"], body)
    assert result.status_code == 413 and error(result)["code"] == "payload_too_large"
    big = _chunked(small, "/api/v1/users/me", world["buyer"], b" " * 20_000_000)
    assert big.status_code == 413
    assert me(small, world["buyer"])["name"] == "Pat Doe"


# money ----------------------------------------------------------------------------------------
PRICES = ["10.001", " 5", "5 ", "1e3", "1E+2", "NaN", "Infinity", "1e309", "1e20",
          "100000000000000000000", "0x10", "1_000", "+5"]


@pytest.mark.parametrize("price", PRICES)
def test_a_price_is_exact_plain_and_in_range(client: testing.TestClient,
                                             world: dict[str, Any], price: str) -> None:
    before = product(client, world)
    refused(client.simulate_put(f"/api/v1/seller/variants/{world['variant']}/price",
                                headers=world["seller"], json={"price": price}), "price")
    assert product(client, world) == before


@pytest.mark.parametrize("number", ["10.001", "1e309", "1e20", "1E2", "NaN", "-Infinity"])
def test_a_json_number_price_is_read_exactly(client: testing.TestClient,
                                             world: dict[str, Any], number: str) -> None:
    before = product(client, world)
    result = client.simulate_put(f"/api/v1/seller/variants/{world['variant']}/price",
                                 headers={**world["seller"], "Content-Type": "application/json"},
                                 body=f'{{"price": {number}}}')
    if number in ("NaN", "-Infinity"):  # not JSON at all
        assert (result.status_code, error(result)["code"]) == (400, "invalid_json"), result.text
    else:
        assert result.status_code == 422, result.text
        assert set(error(result)["details"]) & {"price", "body"}
    assert product(client, world) == before


def test_a_product_priced_past_its_currency_decimals_is_not_created(
        client: testing.TestClient, world: dict[str, Any], shop: Commerce) -> None:
    category = shop.catalog.categories()[0].id
    for price in ("10.001", 10**20):
        result = client.simulate_post("/api/v1/products", headers=world["seller"], json={
            "name": "Rug", "category_id": category, "price": price, "sku": "RUG-1"})
        refused(result, "price")
    listed = client.simulate_get("/api/v1/seller/products", headers=world["seller"])
    assert listed.json["data"]["total_count"] == 1


@pytest.mark.parametrize("amount", ["5.001", "1e1", "NaN", "99999999999999999999", " 5"])
def test_a_refund_amount_is_exact_and_plain(client: testing.TestClient, world: dict[str, Any],
                                            shop: Commerce, amount: str) -> None:
    order = client.simulate_get(f"/api/v1/orders/{world['order']}", headers=world["buyer"])
    payment_id = order.json["data"]["payment"]["payment_id"]
    result = client.simulate_post(f"/api/v1/payments/{payment_id}/refunds",
                                  headers=world["admin"], json={"amount": amount})
    refused(result, "amount")
    payment = client.simulate_get(f"/api/v1/payments/{payment_id}", headers=world["admin"])
    assert payment.json["data"]["status"] == "COMPLETED", payment.json
    assert not payment.json["data"].get("refunds")


# unknown fields -------------------------------------------------------------------------------
def test_unknown_body_fields_are_refused_by_name(client: testing.TestClient,
                                                 world: dict[str, Any]) -> None:
    before = product(client, world)
    for body in ({"product_id": 1}, {"name": "New", "colour": "red"}, {"actor": 1}):
        err = refused(client.simulate_put(f"/api/v1/products/{world['product']}",
                                          headers=world["seller"], json=body),
                      sorted(set(body) - {"name"})[0])
        assert err["code"] == "validation_error"
    assert product(client, world) == before
    refused(client.simulate_put("/api/v1/users/me", headers=world["buyer"],
                                json={"name": "Eve", "role": "admin"}), "role")
    assert me(client, world["buyer"])["name"] == "Pat Doe"
    refused(client.simulate_post(f"/api/v1/products/{world['product']}/variants",
                                 headers=world["seller"],
                                 json={"sku": "L-2", "price": "5.00", "colour": "red"}), "colour")
    assert len(product(client, world)["variants"]) == len(before["variants"])


# strings --------------------------------------------------------------------------------------
BAD_TEXT = ["Ann\x00", "Ann\x07", "Ann\x1b[31m", "Ann\x7f"]


@pytest.mark.parametrize("name", BAD_TEXT)
def test_control_characters_are_refused_in_any_string(client: testing.TestClient,
                                                      world: dict[str, Any], name: str) -> None:
    refused(client.simulate_put("/api/v1/users/me", headers=world["buyer"],
                                json={"name": name}), "name")
    refused(client.simulate_put(f"/api/v1/orders/{world['order']}/cancel",
                                headers=world["buyer"], json={"reason": name}), "reason")
    refused(client.simulate_get("/api/v1/products", params={"search": name}), "search")
    assert me(client, world["buyer"])["name"] == "Pat Doe"
    order = client.simulate_get(f"/api/v1/orders/{world['order']}", headers=world["buyer"])
    assert order.json["data"]["status"] == "CONFIRMED"


def test_a_lone_surrogate_is_refused(client: testing.TestClient,
                                     world: dict[str, Any]) -> None:
    result = client.simulate_put("/api/v1/users/me", headers={
        **world["buyer"], "Content-Type": "application/json"}, body='{"name": "Ann \\ud800"}')
    refused(result, "name")
    assert me(client, world["buyer"])["name"] == "Pat Doe"


def test_a_newline_is_refused_in_a_one_line_field_and_kept_in_text(
        client: testing.TestClient, world: dict[str, Any]) -> None:
    refused(client.simulate_put(f"/api/v1/products/{world['product']}",
                                headers=world["seller"], json={"name": "Lamp\nX"}), "name")
    ok = client.simulate_put(f"/api/v1/products/{world['product']}", headers=world["seller"],
                             json={"description": "Warm light.\n\tDimmable."})
    assert ok.status_code == 200, ok.json
    assert product(client, world)["description"] == "Warm light.\n\tDimmable."


def test_string_lengths_hold_on_create_and_update_alike(client: testing.TestClient,
                                                        world: dict[str, Any]) -> None:
    before = product(client, world)
    refused(client.simulate_put(f"/api/v1/products/{world['product']}",
                                headers=world["seller"], json={"description": "x" * 300_000}),
            "description")
    refused(client.simulate_put(f"/api/v1/products/{world['product']}",
                                headers=world["seller"], json={"tags": ["t"] * 1000}), "tags")
    assert product(client, world) == before
    long_line = {**ADDRESS, "address_line_1": "x" * 100_000}
    refused(client.simulate_post("/api/v1/users/me/addresses", headers=world["buyer"],
                                 json={"address": long_line}), "address.address_line_1")
    refused(client.simulate_post("/api/v1/users/me/addresses", headers=world["buyer"],
                                 json={"address": ADDRESS, "label": "x" * 101}), "label")
    listed = client.simulate_get("/api/v1/users/me/addresses", headers=world["buyer"])
    assert listed.json["data"]["addresses"] == []


# tokens ---------------------------------------------------------------------------------------
def _token(clock: ManualClock, user_id: int, **changes: Any) -> dict[str, str]:
    """A token signed with the shop's key, as the shop would issue it, but for ``changes``."""
    now = clock.now()
    claims = {"sub": str(user_id), "role": "customer", "jti": "forged", "gen": 0,
              "iss": "commerce-sdk",
              "iat": int(now.timestamp()), "exp": int((now + timedelta(hours=1)).timestamp()),
              **changes}
    return {"Authorization": f"Bearer {jwt.encode(claims, SECRET, algorithm='HS256')}"}


@pytest.mark.parametrize("claims", [
    {"sub": str(10**30)}, {"sub": "0"}, {"sub": "-5"}, {"sub": str(2**63)},
    {"iat": 10**30}, {"exp": 10**30},
], ids=["sub 10**30", "sub 0", "sub negative", "sub 2**63", "iat huge", "exp huge"])
def test_a_token_out_of_range_is_a_401(client: testing.TestClient, world: dict[str, Any],
                                       clock: ManualClock, claims: dict[str, Any]) -> None:
    assert client.simulate_get("/api/v1/users/me", headers=_token(
        clock, world["buyer_id"])).status_code == 200  # the same token, in range, is good
    result = client.simulate_get("/api/v1/users/me", headers=_token(
        clock, world["buyer_id"], **claims))
    assert result.status_code == 401 and error(result)["code"] == "unauthenticated"


def test_a_token_issued_in_the_future_is_a_401(client: testing.TestClient,
                                               world: dict[str, Any],
                                               clock: ManualClock) -> None:
    later = clock.now() + timedelta(days=30)
    result = client.simulate_get("/api/v1/users/me", headers=_token(
        clock, world["buyer_id"], iat=int(later.timestamp()),
        exp=int((later + timedelta(hours=1)).timestamp())))
    assert result.status_code == 401 and error(result)["code"] == "unauthenticated"
