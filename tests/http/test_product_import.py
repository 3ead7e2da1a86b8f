"""``POST /api/v1/seller/products/import``: many products in one request, each made whole
or refused with its row, its code, message and field; a malformed body changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from falcon import testing

from commerce_core.facade import Commerce
from tests.http.conftest import actor_of, error, sign_up
from tests.http.test_payments_reviews import admin_headers

URL = "/api/v1/seller/products/import"


@pytest.fixture
def seller(client: testing.TestClient) -> dict[str, str]:
    return sign_up(client, "lamps@example.com", role="seller")[0]


@pytest.fixture
def category(client: testing.TestClient, shop: Commerce) -> int:
    made = client.simulate_post("/api/v1/admin/categories", headers=admin_headers(client, shop),
                                json={"name": "Lamps"})
    return int(made.json["data"]["category_id"])


def _lamp(n: int, category: int, **more: Any) -> dict[str, Any]:
    return {"name": f"Lamp {n}", "category_id": category, "tags": ["lamp"],
            "variants": [{"sku": f"L-{n}-S", "price": "19.90", "stock": 3,
                          "options": {"size": "S"}},
                         {"sku": f"L-{n}-L", "price": "24.50", "options": {"size": "L"}}],
            **more}


def _mine(shop: Commerce, seller: dict[str, str]) -> list[str]:
    return sorted(d.product.name for d in shop.catalog.seller_products(
        actor_of(shop, seller), limit=100).items)


def test_an_import_makes_each_good_product_and_names_each_refused_row(
        client: testing.TestClient, shop: Commerce, seller: dict[str, str],
        category: int) -> None:
    taken = client.simulate_post("/api/v1/products", headers=seller, json=_lamp(0, category))
    assert taken.status_code == 201
    done = client.simulate_post(URL, headers=seller, json={"products": [
        _lamp(1, category), _lamp(2, 999), _lamp(0, category, name="Taken SKU"),
        {"name": "No variants", "category_id": category}, _lamp(3, category)]})
    assert done.status_code == 200, done.json
    report = done.json["data"]
    assert [r["row"] for r in report["created"]] == [0, 4]
    assert [(r["row"], r["code"], r["details"]) for r in report["refused"]] == [
        (1, "not_found", {"category_id": 999}), (2, "conflict", {"sku": "L-0-S"}),
        (3, "validation_error", {"variants": "required"})]
    assert all(r["message"] for r in report["refused"])
    assert _mine(shop, seller) == ["Lamp 0", "Lamp 1", "Lamp 3"]
    made = shop.catalog.product_detail(int(report["created"][0]["product_id"]))
    assert (made.product.name, made.product.tags,
            [(v.sku, str(v.price.amount), made.stock[v.id].available)
             for v in made.product.variants]) == (
        "Lamp 1", ["lamp"], [("L-1-S", "19.90", 3), ("L-1-L", "24.50", 0)])


def test_a_malformed_row_refuses_the_request_naming_its_field_and_makes_nothing(
        client: testing.TestClient, shop: Commerce, seller: dict[str, str],
        category: int) -> None:
    bad = _lamp(2, category)
    bad["variants"][0]["price"] = "NaN"
    refused = client.simulate_post(URL, headers=seller, json={"products": [
        _lamp(1, category), bad]})
    assert refused.status_code == 422
    assert list(error(refused)["details"]) == ["products.1.variants.0.price"]
    empty = client.simulate_post(URL, headers=seller, json={"products": []})
    assert empty.status_code == 422 and list(error(empty)["details"]) == ["products"]
    assert _mine(shop, seller) == []


def test_only_sellers_import(client: testing.TestClient, shop: Commerce,
                             category: int) -> None:
    ann = sign_up(client, "ann@example.com")[0]
    refused = client.simulate_post(URL, headers=ann, json={"products": [_lamp(1, category)]})
    assert refused.status_code == 403
    assert shop.catalog.list_products().total_count == 0
