"""``/api/v1/coupons``: admins manage every coupon, sellers their own; a disabled coupon is
refused at checkout; each coupon's usage is listed."""

from __future__ import annotations

from falcon import testing

from commerce_core.facade import Commerce
from tests.http.conftest import error, sign_up
from tests.http.test_payments_reviews import admin_headers

API = "/api/v1/coupons"


def test_coupons_are_created_listed_disabled_and_their_use_counted(
        client: testing.TestClient, shop: Commerce) -> None:
    admin = admin_headers(client, shop)
    seller, seller_id = sign_up(client, "lamps@example.com", role="seller")
    made = client.simulate_post(API, headers=admin, json={
        "code": "welcome10", "kind": "percent", "value": "10", "max_uses": 100})
    assert made.status_code == 201, made.text
    assert (made.json["data"]["code"], made.json["data"]["value"]) == ("WELCOME10", "10")
    own = client.simulate_post(API, headers=seller, json={
        "code": "LAMPS5", "kind": "fixed", "value": "5.00", "currency": "USD"}).json["data"]
    assert own["seller_id"] == str(seller_id)  # a seller's coupon is scoped to their goods
    assert [c["code"] for c in client.simulate_get(API, headers=seller).json["data"][
        "coupons"]] == ["LAMPS5"]
    assert client.simulate_get(API, headers=admin).json["data"]["total_count"] == 2
    assert client.simulate_post(f"{API}/WELCOME10/disable", headers=seller).status_code \
        == 403  # not theirs
    off = client.simulate_post(f"{API}/WELCOME10/disable", headers=admin).json["data"]
    assert off["is_active"] is False
    buyer, _ = sign_up(client, "ann@example.com")
    refused = client.simulate_post("/api/v1/cart/apply-coupon", headers=buyer,
                                   json={"coupon_code": "WELCOME10"})
    assert refused.status_code == 422 and "coupon_code" in error(refused)["details"]
    usage = client.simulate_get(f"{API}/WELCOME10/usage", headers=admin).json["data"]
    assert (usage["times_used"], usage["redemptions"]) == (0, [])
    assert client.simulate_get(f"{API}/NOPE", headers=admin).status_code == 404


def test_bad_coupons_are_refused_naming_the_field_and_customers_may_not_manage(
        client: testing.TestClient, shop: Commerce) -> None:
    admin = admin_headers(client, shop)
    for body, field in (({"code": "X", "kind": "percent", "value": "150"}, "value"),
                        ({"code": "X", "kind": "fixed", "value": "5"}, "currency"),
                        ({"code": "X", "kind": "gift"}, "kind"),
                        ({"kind": "percent", "value": "5"}, "code")):
        refused = client.simulate_post(API, headers=admin, json=body)
        assert refused.status_code == 422 and field in error(refused)["details"], body
    assert client.simulate_get(API, headers=admin).json["data"]["coupons"] == []
    customer, _ = sign_up(client, "ann@example.com")
    assert client.simulate_get(API, headers=customer).status_code == 403
