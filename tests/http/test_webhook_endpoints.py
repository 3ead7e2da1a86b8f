"""``/api/v1/admin/webhooks``: admins register outgoing endpoints, see them and their
delivery log, and disable them; nobody else may."""

from __future__ import annotations

from falcon import testing

from commerce_core.events import OrderPlaced
from commerce_core.facade import Commerce
from commerce_core.money import Money
from tests.http.conftest import error, sign_up
from tests.http.test_payments_reviews import admin_headers

API = "/api/v1/admin/webhooks"


def test_admins_register_list_and_disable_endpoints_and_read_their_log(
        client: testing.TestClient, shop: Commerce) -> None:
    admin = admin_headers(client, shop)
    made = client.simulate_post(API, headers=admin, json={
        "url": "https://hooks.example/orders", "event_types": ["OrderPlaced"]})
    assert made.status_code == 201, made.text
    endpoint = made.json["data"]
    assert endpoint["secret"].startswith("whsec_") and endpoint["active"] is True
    listed = client.simulate_get(API, headers=admin).json["data"]
    assert [e["endpoint_id"] for e in listed["endpoints"]] == [endpoint["endpoint_id"]]
    assert "secret" not in listed["endpoints"][0]  # shown once, at creation
    assert "OrderPlaced" in listed["event_types"] and listed["event_types"][0] == "*"

    shop.webhooks.handle(OrderPlaced(occurred_at=shop.clock.now(), order_id=1,
                                     order_number="ORD-1", user_id=2,
                                     total=Money("9.50", "EUR")))
    log = client.simulate_get(f"{API}/{endpoint['endpoint_id']}/deliveries", headers=admin,
                              params={"limit": 10}).json["data"]
    assert [(d["event_type"], d["state"], d["attempts"]) for d in log["deliveries"]] \
        == [("OrderPlaced", "pending", 0)]

    off = client.simulate_post(f"{API}/{endpoint['endpoint_id']}/disable", headers=admin)
    assert off.status_code == 200 and off.json["data"]["active"] is False
    assert shop.webhooks.endpoints(shop.accounts.authenticate(
        admin["Authorization"].split()[1]))[0].active is False


def test_bad_endpoints_are_refused_naming_the_field_and_nothing_is_kept(
        client: testing.TestClient, shop: Commerce) -> None:
    admin = admin_headers(client, shop)
    for body, field in (({"url": "https://h.example/x", "event_types": ["OrderPlacd"]},
                         "event_types"),
                        ({"url": "https://h.example/x", "event_types": []}, "event_types"),
                        ({"url": "ftp://h.example/x", "event_types": ["*"]}, "url"),
                        ({"event_types": ["*"]}, "url")):
        refused = client.simulate_post(API, headers=admin, json=body)
        assert refused.status_code == 422 and field in error(refused)["details"], body
    assert client.simulate_get(API, headers=admin).json["data"]["endpoints"] == []
    missing = client.simulate_get(f"{API}/12345/deliveries", headers=admin)
    assert missing.status_code == 404


def test_only_admins_manage_webhooks(client: testing.TestClient) -> None:
    customer, _ = sign_up(client, "ann@example.com")
    seller, _ = sign_up(client, "lamps@example.com", role="seller")
    for headers in (customer, seller):
        refused = client.simulate_post(API, headers=headers, json={
            "url": "https://h.example/x", "event_types": ["*"]})
        assert refused.status_code == 403 and error(refused)["code"] == "forbidden"
        assert client.simulate_get(API, headers=headers).status_code == 403
    assert client.simulate_get(API).status_code == 401
