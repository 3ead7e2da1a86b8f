"""``GET /api/v1/seller/inventory/movements``: a seller reads the stock movements of their
own variants, newest first, filtered by variant and type; nobody else's."""

from __future__ import annotations

from falcon import testing

from commerce_core.facade import Commerce
from tests.conftest import ADMIN, add_product
from tests.http.conftest import actor_of, error, sign_up

API = "/api/v1/seller/inventory/movements"


def test_a_seller_reads_their_movements_filtered_and_paged(client: testing.TestClient,
                                                           shop: Commerce) -> None:
    headers, _ = sign_up(client, "lamps@example.com", role="seller")
    seller = actor_of(shop, headers)
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    product = add_product(shop, category, "Lamp", stock=5, seller=seller)
    variant = product.variants[0].id
    shop.inventory.restock(seller, variant, 7)
    shop.inventory.adjust(seller, variant, -2, "dented")
    everything = client.simulate_get(API, headers=headers).json["data"]
    assert [(m["movement_type"], m["quantity"]) for m in everything["movements"]] \
        == [("ADJUSTMENT", -2), ("IN", 7), ("IN", 5)]
    assert everything["total_count"] == 3 and everything["movements"][0]["reason"] == "dented"
    assert everything["movements"][0]["variant_id"] == str(variant)
    only_in = client.simulate_get(API, headers=headers, params={"type": "IN"}).json["data"]
    assert [m["quantity"] for m in only_in["movements"]] == [7, 5]
    both = client.simulate_get(API, headers=headers, query_string="type=IN&type=ADJUSTMENT"
                               "&limit=2").json["data"]
    assert (len(both["movements"]), both["total_count"]) == (2, 3)

    other, _ = sign_up(client, "rugs@example.com", role="seller")
    theirs = client.simulate_get(API, headers=other).json["data"]
    assert theirs["movements"] == []
    refused = client.simulate_get(API, headers=other, params={"variant_id": str(variant)})
    assert refused.status_code in (403, 404)


def test_bad_filters_are_refused_naming_them_and_customers_may_not_look(
        client: testing.TestClient) -> None:
    seller, _ = sign_up(client, "lamps@example.com", role="seller")
    bad = client.simulate_get(API, headers=seller, params={"type": "STOLEN"})
    assert bad.status_code == 422 and "type.0" in error(bad)["details"]
    assert client.simulate_get(API, headers=seller, params={"limit": "500"}).status_code == 422
    customer, _ = sign_up(client, "ann@example.com")
    assert client.simulate_get(API, headers=customer).status_code == 403
