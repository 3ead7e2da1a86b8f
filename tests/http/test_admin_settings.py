"""``/api/v1/admin/settings``: admins set tax, shipping and fraud settings as data; the next
checkout charges them; bad values are refused naming the field, with nothing stored."""

from __future__ import annotations

from falcon import testing

from commerce_core.facade import Commerce
from commerce_core.money import Money
from tests.conftest import ADMIN, CUSTOMER, HOME, add_product
from tests.http.conftest import error, sign_up
from tests.http.test_payments_reviews import admin_headers

API = "/api/v1/admin/settings"


def test_admins_store_tax_and_shipping_and_the_next_checkout_charges_them(
        client: testing.TestClient, shop: Commerce) -> None:
    admin = admin_headers(client, shop)
    tax = client.simulate_put(f"{API}/tax", headers=admin, json={
        "rates": [{"country": "us", "rate": "0.05"},
                  {"country": "US", "region": "IL", "rate": 0.0625}]})
    assert tax.status_code == 200, tax.text
    data = tax.json["data"]
    assert data["rates"][1] == {"country": "US", "region": "IL", "rate": "0.0625"}
    assert data["state"]["stored"] is True and data["state"]["version"] == 1
    shipping = client.simulate_put(f"{API}/shipping", headers=admin, json={"rates": [
        {"kind": "flat", "amount": "7.50", "countries": ["US"], "name": "domestic"}]})
    assert shipping.status_code == 200, shipping.text
    phone = add_product(shop, shop.catalog.create_category(ADMIN, "C").id, prices=["100.00"])
    shop.cart.add_item(CUSTOMER, phone.id, 1)
    order = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa").order
    assert (order.tax, order.shipping) == (Money("6.25", "USD"), Money("7.50", "USD"))
    every = client.simulate_get(API, headers=admin).json["data"]
    assert every["fraud"]["state"] == {"stored": False, "version": 0, "updated_at": None,
                                       "updated_by": None}
    assert every["shipping"]["rates"][0]["amount"] == "7.50"
    back = client.simulate_delete(f"{API}/tax", headers=admin)
    assert back.status_code == 200 and back.json["data"]["rates"] == []
    assert back.json["data"]["state"]["stored"] is False


def test_fraud_fields_named_change_and_the_rest_stay(client: testing.TestClient,
                                                     shop: Commerce) -> None:
    admin = admin_headers(client, shop)
    done = client.simulate_put(f"{API}/fraud", headers=admin, json={
        "hold_at": 50, "velocity_window": 1800, "weights": {"order_velocity": 10}})
    assert done.status_code == 200, done.text
    fraud = done.json["data"]
    assert (fraud["hold_at"], fraud["velocity_window"], fraud["velocity_limit"]) == (50, 1800, 3)
    assert fraud["weights"]["order_velocity"] == 10
    assert client.simulate_get(f"{API}/fraud", headers=admin).json["data"] == fraud


def test_bad_values_are_refused_naming_the_field_and_nothing_is_stored(
        client: testing.TestClient, shop: Commerce) -> None:
    admin = admin_headers(client, shop)
    for path, body, field in (
            ("tax", {"rates": [{"country": "US", "rate": "-0.01"}]}, "rates.0.rate"),
            ("tax", {"rates": [{"country": "US", "rate": "1"}]}, "rates.0.rate"),
            ("tax", {"rates": [{"country": "USA", "rate": "0.1"}]}, "rates.0.country"),
            ("shipping", {"rates": [{"kind": "flat", "amount": "-2"}]}, "rates.0.amount"),
            ("fraud", {"hold_at": 0}, "hold_at"),
            ("tax", {"rates": [{"country": "US", "rate": "NaN"}]}, "rates.0.rate"),
            ("tax", {"rates": [{"country": "US", "rate": "abc"}]}, "rates.0.rate"),
            ("tax", {"rates": [{"country": "US", "rate": "1e-1"}]}, "rates.0.rate"),
            ("shipping", {"rates": [{"kind": "flat", "amount": "Infinity"}]},
             "rates.0.amount"),
            ("fraud", {"high_amount": "-Infinity"}, "high_amount"),
            ("fraud", {"new_account_amount": "sNaN"}, "new_account_amount"),
            ("fraud", {"weights": {"order_velocity": "ten"}}, "weights")):
        refused = client.simulate_put(f"{API}/{path}", headers=admin, json=body)
        assert refused.status_code in (400, 422), refused.text
        assert field in error(refused)["details"], (path, body, refused.json)
        assert "invalid" not in error(refused)["message"].lower(), refused.json  # says what
    assert shop.settings.get(ADMIN).stored == {}


def test_only_admins_reach_the_settings(client: testing.TestClient, shop: Commerce) -> None:
    for role in ("customer", "seller"):
        headers, _ = sign_up(client, f"{role}@example.com", role)
        assert client.simulate_get(API, headers=headers).status_code == 403
        refused = client.simulate_put(f"{API}/tax", headers=headers, json={"rates": []})
        assert refused.status_code == 403
    assert shop.settings.get(ADMIN).stored == {}
