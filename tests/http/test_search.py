"""``GET /api/v1/search``, ``/search/suggest`` and ``/products?search=`` over HTTP."""

from __future__ import annotations

from falcon import testing

from commerce_core.facade import Commerce
from tests.conftest import ADMIN, SELLER, add_product
from tests.http.conftest import error, sign_up


def _catalog(shop: Commerce) -> tuple[int, int, int]:
    phones = shop.catalog.create_category(ADMIN, "Phones").id
    bike = add_product(shop, phones, "Mountain bike", prices=("250.00",)).id
    shop.catalog.update_product(SELLER, bike, attributes={"brand": "Trek", "color": "Red"},
                                description="A bike for trails")
    lamp = add_product(shop, phones, "Desk lamp", prices=("20.00",)).id
    return phones, bike, lamp


def test_search_with_facets_highlights_and_filters(client: testing.TestClient,
                                                   shop: Commerce) -> None:
    phones, bike, _ = _catalog(shop)
    found = client.simulate_get("/api/v1/search", params={"q": "moutain bikes"})
    assert found.status_code == 200, found.json
    data = found.json["data"]
    assert [p["product_id"] for p in data["products"]] == [str(bike)]
    assert data["products"][0]["highlights"]["name"] == "<em>Mountain</em> <em>bike</em>"
    assert data["products"][0]["name"] == "Mountain bike"
    assert data["total"] == 1 and data["total_is_exact"] and data["corrected"]
    assert data["facets"]["categories"] == [{"category_id": str(phones), "name": "Phones",
                                             "count": 1}]
    assert data["facets"]["attributes"]["brand"] == [{"value": "trek", "count": 1}]
    assert [r["count"] for r in data["facets"]["price_ranges"]] == [0, 0, 0, 0, 1, 0]
    filtered = client.simulate_get("/api/v1/search", params={"q": "bike", "brand": "TREK",
                                                             "attr.color": "red"})
    assert [p["product_id"] for p in filtered.json["data"]["products"]] == [str(bike)]
    none = client.simulate_get("/api/v1/search", params={"q": "bike", "attr.color": "blue"})
    assert none.json["data"]["products"] == [] and none.json["data"]["total"] == 0


def test_everything_sorted_by_price_with_a_cursor(client: testing.TestClient,
                                                  shop: Commerce) -> None:
    _, bike, lamp = _catalog(shop)
    first = client.simulate_get("/api/v1/search", params={"sort": "price_asc", "limit": "1"})
    data = first.json["data"]
    assert [p["product_id"] for p in data["products"]] == [str(lamp)]
    cursor = data["pagination"]["next_cursor"]
    second = client.simulate_get("/api/v1/search", params={"sort": "price_asc", "limit": "1",
                                                           "cursor": cursor})
    assert [p["product_id"] for p in second.json["data"]["products"]] == [str(bike)]
    assert second.json["data"]["pagination"]["next_cursor"] is None


def test_bad_search_input_is_a_4xx_naming_the_field(client: testing.TestClient) -> None:
    for params, field in [({"sort": "cheap"}, "sort"), ({"cursor": "!!"}, "cursor"),
                          ({"min_price": "x"}, "min_price"), ({"limit": "500"}, "limit"),
                          ({"q": "x" * 201}, "q")]:
        refused = client.simulate_get("/api/v1/search", params=params)
        assert refused.status_code in (400, 422), params
        assert field in error(refused)["details"], (params, refused.json)


def test_suggest(client: testing.TestClient, shop: Commerce) -> None:
    _catalog(shop)
    headers, _ = sign_up(client, "ann@example.com")
    client.simulate_get("/api/v1/search", params={"q": "mountain boots"}, headers=headers)
    found = client.simulate_get("/api/v1/search/suggest", params={"q": "mou"})
    assert found.status_code == 200
    assert found.json["data"]["suggestions"] == [
        {"text": "Mountain bike", "kind": "product"},
        {"text": "mountain boots", "kind": "query"}]
    missing = client.simulate_get("/api/v1/search/suggest")
    assert missing.status_code in (400, 422) and "q" in error(missing)["details"]


def test_the_product_listing_search_uses_the_index(client: testing.TestClient,
                                                   shop: Commerce) -> None:
    _, bike, _ = _catalog(shop)
    found = client.simulate_get("/api/v1/products", params={"search": "bikes"})
    assert [p["product_id"] for p in found.json["data"]["products"]] == [str(bike)]
    assert found.json["data"]["pagination"]["total_count"] == 1


def test_metrics_show_the_indexing_lag(client: testing.TestClient, shop: Commerce) -> None:
    _catalog(shop)
    text = client.simulate_get("/metrics").text
    assert "commerce_search_index_lag_seconds" in text
    assert "commerce_search_indexed_events_total" in text


def test_search_types_on_the_wire(client: testing.TestClient, shop: Commerce) -> None:
    phones, bike, _ = _catalog(shop)
    found = client.simulate_get("/api/v1/search", params={
        "q": "bike", "category_id": str(phones), "max_price": "300"}).json["data"]
    assert [p["product_id"] for p in found["products"]] == [str(bike)]
    hit = found["products"][0]
    assert hit["price"] == "250.00" and hit["seller_id"] == str(SELLER.user_id)
    assert hit["seller"] == {"seller_id": str(SELLER.user_id), "name": None, "rating": None}
    assert found["facets"]["price_ranges"][0] == {"min": "0.00", "max": "25.00", "count": 0}
    assert found["facets"]["price_ranges"][-1]["max"] is None
    assert client.simulate_get("/api/v1/search", params={
        "q": "bike", "rating_min": "1"}).json["data"]["products"] == []
    category = client.simulate_get("/api/v1/search/suggest", params={"q": "pho"})
    assert category.json["data"]["suggestions"] == [
        {"text": "Phones", "kind": "category", "category_id": str(phones)}]
    for params, field in [({"facets": "maybe"}, "facets"), ({"category_id": "x"}, "category_id"),
                          ({"attr.color": "x" * 201}, "attr.color"),
                          ({"min_price": "-5"}, "min_price")]:
        refused = client.simulate_get("/api/v1/search", params=params)
        assert refused.status_code == 422 and field in error(refused)["details"], params
    short = client.simulate_get("/api/v1/search/suggest", params={"q": "mou", "limit": "51"})
    assert short.status_code == 422 and "limit" in error(short)["details"]
