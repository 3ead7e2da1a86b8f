"""The contract (``commerce_http.contract``): one declaration per operation gives the route,
its input checks, the OpenAPI document and the typed client, and they agree."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from decimal import Decimal
from typing import Any

import httpx
import msgspec
import pytest
from falcon import testing

from commerce_core import errors as e
from commerce_core.facade import Commerce
from commerce_core.money import Money
from commerce_http import api, create_app
from commerce_http.api import accounts
from commerce_http.contract import wire
from commerce_http.contract.client import Client
from commerce_http.contract.operation import Operation, table
from tests.http.conftest import PASSWORD, sign_up
from tests.http.test_payments_reviews import admin_headers


@pytest.fixture
def typed(shop: Commerce) -> Client:
    return Client("http://shop.test", transport=httpx.WSGITransport(app=create_app(shop)))


def test_the_typed_client_runs_operations_and_returns_their_declared_types(
        typed: Client) -> None:
    made = typed.call(accounts.register, body=accounts.Registration(
        email="ann@example.com", password=PASSWORD, name="Ann"))
    assert isinstance(made, accounts.UserOut) and isinstance(made.user_id, wire.Id)
    session = typed.call(accounts.login, body=accounts.Credentials(
        email="ann@example.com", password=PASSWORD))
    assert isinstance(session, accounts.SessionOut) and session.user.user_id == made.user_id
    typed.token = session.access_token
    changed = typed.call(accounts.change_me, body=accounts.ProfileChange(phone="+15550100"))
    assert (changed.name, changed.phone) == ("Ann", "+15550100")
    assert typed.call(accounts.logout) is None
    with pytest.raises(e.Unauthenticated):
        typed.call(accounts.me)


def test_refusals_are_the_sdks_errors_naming_the_field(typed: Client) -> None:
    with pytest.raises(e.ValidationError) as refused:
        typed.call(accounts.register, body=accounts.Registration(
            email="ann@example.com", password=PASSWORD, name="x" * 201))
    assert refused.value.details == {"name": "at most 200 characters"}
    with pytest.raises(e.Unauthenticated):
        typed.call(accounts.login, body=accounts.Credentials(email="no@example.com",
                                                             password=PASSWORD))


@pytest.mark.parametrize(("body", "field", "expected"), [
    ({"email": "a@example.com", "name": "A"}, "password", "required"),
    ({"email": "a@example.com", "password": PASSWORD, "name": "A", "nick": "x"}, "nick",
     "unknown field"),
    ({"email": "a@example.com", "password": PASSWORD, "name": "A", "role": "admin"}, "role",
     "one of the documented values"),
    ({"email": "a@example.com", "password": PASSWORD, "name": "A\u0007"}, "name",
     "a string with no control character"),
    ({"email": ["a"], "password": PASSWORD, "name": "A"}, "email", "a string"),
])
def test_input_is_read_into_its_declared_type_or_refused_naming_the_field(
        client: testing.TestClient, body: dict[str, Any], field: str, expected: str) -> None:
    result = client.simulate_post("/api/v1/users/register", json=body)
    assert result.status_code == 422, result.text
    assert result.json["error"]["details"] == {field: expected}
    assert client.simulate_post("/api/v1/auth/login", json={
        "email": "a@example.com", "password": PASSWORD}).status_code == 401  # nothing made


def test_ids_go_out_as_strings_and_come_in_as_either() -> None:
    class Row(wire.Body):
        id: wire.Id
        price: wire.Amount

    sent = wire.encode(Row(id=wire.Id(386271410162872321), price=wire.money(
        Money(Decimal("99.5"), "USD"))))
    assert sent == b'{"id":"386271410162872321","price":"99.50"}'
    assert wire.decode(b'{"id":386271410162872321,"price":99.5}', Row).id == 386271410162872321
    for bad in (b'{"id":0,"price":1}', b'{"id":"12a","price":1}', b'{"id":true,"price":1}',
                b'{"id":"9223372036854775808","price":1}'):
        with pytest.raises(msgspec.ValidationError, match=r"\$\.id"):
            wire.decode(bad, Row)
    assert wire.money(Money(Decimal("5"), "JPY")) == Decimal("5")
    assert wire.money(Money(Decimal("1.5"), "KWD")) == Decimal("1.500")


def test_the_document_is_made_from_the_declarations(client: testing.TestClient) -> None:
    spec = client.simulate_get("/openapi.json").json
    schemas = spec["components"]["schemas"]
    for op in api.OPERATIONS:
        described = spec["paths"][op.path][op.method.lower()]
        assert described["operationId"] == op.name
        assert {"$ref": "#/components/parameters/RequestId"} in described["parameters"]
        if op.response is not None:
            ref = described["responses"][str(op.status)]["content"]["application/json"][
                "schema"]["$ref"]
            assert ref.rsplit("/", 1)[1] in schemas
        assert "429" in described["responses"] and "default" in described["responses"]
    envelope = schemas["UserOutEnvelope"]
    assert envelope["properties"]["data"] == {"$ref": "#/components/schemas/UserOut"}
    assert schemas["UserOut"]["properties"]["user_id"]["type"] == "string"
    assert schemas["Registration"]["additionalProperties"] is False
    assert schemas["Registration"]["properties"]["name"]["maxLength"] == 200
    health = spec["paths"]["/health"]["get"]["responses"]
    assert health["503"]["content"] == health["200"]["content"]  # a report, not an error


def test_every_operation_name_and_route_is_declared_once() -> None:
    def nothing(call: Any) -> None:
        return None

    again = Operation("GET", "/api/v1/users/me", "get_me_again", "twice", nothing)
    with pytest.raises(ValueError, match="declared twice"):
        table(api.OPERATIONS, (again,))


def _journey(client: testing.TestClient, shop: Commerce) -> list[str]:
    """The bodies of a shop's day through the API: a seller lists a product, a buyer
    browses, buys, pays and reviews, the seller and an admin look at what happened."""
    bodies: list[str] = []

    def keep(result: testing.Result) -> Any:
        assert result.status_code < 400, result.text
        bodies.append(result.text)
        return result.json.get("data") if isinstance(result.json, dict) else None

    admin = admin_headers(client, shop)
    seller, _ = sign_up(client, "lamps@example.com", role="seller")
    buyer, _ = sign_up(client, "kim@example.com")
    category = keep(client.simulate_post("/api/v1/admin/categories", headers=admin,
                                         json={"name": "Lamps"}))["category_id"]
    keep(client.simulate_post("/api/v1/seller/profile", headers=seller,
                              json={"store_name": "Lumen"}))
    product = keep(client.simulate_post("/api/v1/products", headers=seller, json={
        "name": "Arc lamp", "category_id": category, "variants": [
            {"sku": "ARC-S", "price": "99.50", "options": {"size": "S"}, "stock": 5},
            {"sku": "ARC-L", "price": "129", "options": {"size": "L"}, "stock": 5}]}))
    variant = product["variants"][0]["variant_id"]
    for path in ("/api/v1/products", f"/api/v1/products/{product['product_id']}",
                 "/api/v1/categories", "/api/v1/search?q=lamp"):
        keep(client.simulate_get(path, headers=buyer))
    keep(client.simulate_post("/api/v1/cart/items", headers=buyer, json={
        "product_id": product["product_id"], "selected_attributes": {"size": "S"}}))
    order = keep(client.simulate_post("/api/v1/orders", headers={
        **buyer, "Idempotency-Key": "k-1"}, json={"shipping_address": {
            "line1": "1 Main St", "city": "Springfield", "postal_code": "12345",
            "country": "US"}, "payment_token": "tok_visa"}))["order_id"]
    for path in (f"/api/v1/orders/{order}", "/api/v1/orders",
                 f"/api/v1/orders/{order}/timeline", "/api/v1/users/me/notifications"):
        keep(client.simulate_get(path, headers=buyer))
    keep(client.simulate_post(f"/api/v1/products/{product['product_id']}/reviews",
                              headers=buyer, json={"rating": 5, "title": "Bright"}))
    keep(client.simulate_get(f"/api/v1/products/{product['product_id']}/reviews"))
    for path in ("/api/v1/seller/products", "/api/v1/seller/orders", "/api/v1/seller/inventory",
                 f"/api/v1/inventory/{variant}", "/api/v1/seller/inventory/movements"):
        keep(client.simulate_get(path, headers=seller))
    for path in ("/api/v1/admin/users", "/api/v1/admin/dashboard", "/health"):
        keep(client.simulate_get(path, headers=admin))
    return bodies


def test_every_id_in_every_response_survives_json_parse_in_node(
        client: testing.TestClient, shop: Commerce) -> None:
    """JavaScript's JSON.parse holds integers exactly only up to 2^53: no response may carry
    a bigger one (ids go as strings), every id read back in Node is the string sent, and
    every amount keeps its currency's decimals."""
    # every machine that runs the suite has Node: missing, it is a failure that says so
    assert shutil.which("node"), "install Node.js (Debian: apt install nodejs) to run this test"
    bodies = _journey(client, shop)
    script = """
const bodies = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const bad = [], ids = [], prices = [];
const walk = (v, path, key) => {
  if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v)) bad.push(path);
  if (/(^|_)id$/.test(key) && v !== null && typeof v !== 'string') bad.push(path);
  if (/(^|_)id$/.test(key) && typeof v === 'string') ids.push(v);
  if (/^(price|unit_price|total_amount|subtotal)$/.test(key)) prices.push(v);
  if (v && typeof v === 'object') {
    for (const [k, c] of Object.entries(v)) walk(c, path + '.' + k, k);
  }
};
bodies.forEach((text, i) => walk(JSON.parse(text), String(i), ''));
process.stdout.write(JSON.stringify({bad, ids, prices}));
"""
    done = subprocess.run(["node", "-e", script], input=json.dumps(bodies), text=True,
                          capture_output=True, check=True, timeout=60)
    found = json.loads(done.stdout)
    assert found["bad"] == []
    stored = [int(i) for i in found["ids"] if i.isdigit()]  # cart ids are UUIDs
    assert len(stored) > 50
    assert any(i > 2**53 for i in stored)  # ids a JavaScript number would round
    assert found["prices"] and all(isinstance(p, str) and re.fullmatch(r"\d+\.\d\d", p)
                                   for p in found["prices"])


def test_interactive_docs_are_served_from_the_package(client: testing.TestClient) -> None:
    page = client.simulate_get("/docs")
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    assets = re.findall(r'(?:src|href)="(/docs/static/[^"]+)"', page.text)
    assert "/docs/static/swagger-ui-bundle.js" in assets  # local, not a CDN
    for asset in assets:
        assert client.simulate_get(asset).status_code == 200, asset
    document = re.search(r'url: "([^"]+)"', page.text)
    assert document is not None
    assert client.simulate_get(document.group(1)).json == client.simulate_get(
        "/openapi.json").json


def test_a_password_change_ends_every_older_token(client: testing.TestClient) -> None:
    client.simulate_post("/api/v1/users/register", json={"email": "ann@example.com",
                                                         "password": PASSWORD})
    tokens = [client.simulate_post("/api/v1/auth/login", json={
        "email": "ann@example.com", "password": PASSWORD}).json["data"]["access_token"]
        for _ in range(2)]
    old = {"Authorization": f"Bearer {tokens[0]}"}
    wrong = client.simulate_post("/api/v1/users/me/password", headers=old, json={
        "current_password": "not-my-password", "new_password": "a long new passphrase"})
    assert wrong.status_code == 401
    common = client.simulate_post("/api/v1/users/me/password", headers=old, json={
        "current_password": PASSWORD, "new_password": "password123"})
    assert common.status_code == 422 and "new_password" in common.json["error"]["details"]
    changed = client.simulate_post("/api/v1/users/me/password", headers=old, json={
        "current_password": PASSWORD, "new_password": "a long new passphrase"})
    assert changed.status_code == 200, changed.text
    fresh = {"Authorization": f"Bearer {changed.json['data']['access_token']}"}
    for token in tokens:
        assert client.simulate_get("/api/v1/users/me", headers={
            "Authorization": f"Bearer {token}"}).status_code == 401
    assert client.simulate_get("/api/v1/users/me", headers=fresh).status_code == 200
    assert client.simulate_post("/api/v1/auth/login", json={
        "email": "ann@example.com", "password": "a long new passphrase"}).status_code == 200


def test_every_component_has_a_plain_name(client: testing.TestClient) -> None:
    """Two declared types of one name would be written module-qualified (and a generated
    client would get two classes for one shape): each shape is declared once."""
    names = client.simulate_get("/openapi.json").json["components"]["schemas"]
    assert [n for n in names if not re.fullmatch(r"[A-Za-z0-9]+", n)] == []
