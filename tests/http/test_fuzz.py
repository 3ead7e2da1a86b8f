"""Schemathesis over the app's own /openapi.json: every operation, as anonymous, customer,
seller and admin, with valid and invalid input from the declared schemas; no answer is a 5xx.
Bounded (a few examples per operation and role, no shrinking) so the file stays well under a
minute; every 5xx found is listed, not only the first."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest
import schemathesis
from falcon import testing
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.clock import ManualClock
from commerce_core.facade import Commerce
from commerce_http import create_app
from commerce_http.app import HttpSettings
from commerce_http.limits import Limits
from tests.conftest import ADMIN, add_product, make_shop
from tests.http.conftest import sign_up
from tests.http.test_payments_reviews import admin_headers
from tests.http.test_shopping import ADDRESS
from tests.sql_servers import fresh_postgres, sqlite_template

EXAMPLES = int(os.environ.get("COMMERCE_FUZZ_EXAMPLES", "3"))  # per operation, role, mode
ROLES = ("anonymous", "customer", "seller", "admin")
BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(params=BACKENDS)
def fuzz_shop(request: pytest.FixtureRequest, clock: ManualClock,
              gateway: FakeGateway) -> Commerce:
    if request.param == "sqlite":
        path = request.getfixturevalue("tmp_path") / "shop.db"
        shutil.copy(sqlite_template(), path)
        return make_shop(clock, gateway, f"sqlite:///{path}")
    url = os.environ.get("COMMERCE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("COMMERCE_TEST_POSTGRES_URL is not set")
    return make_shop(clock, gateway, fresh_postgres(url))


def _people(shop: Commerce) -> tuple[Any, dict[str, dict[str, str]]]:
    """The app (rate limits out of the way: the fuzzer is one client) and a signed-in
    caller per role, with a product on sale and a paid order, so ids 1.. are not all 404."""
    app = create_app(shop, HttpSettings(limits=Limits(per_ip=10**9, per_user=10**9)))
    client = testing.TestClient(app)
    seller_headers, _ = sign_up(client, "lamps@example.com", role="seller")
    buyer, _ = sign_up(client, "ann@example.com")
    seller = shop.accounts.authenticate(seller_headers["Authorization"].split()[1])
    product = add_product(shop, shop.catalog.create_category(ADMIN, "Lamps").id, "Lamp",
                          stock=1000, seller=seller)
    client.simulate_post("/api/v1/cart/items", headers=buyer, json={"product_id": product.id})
    client.simulate_post("/api/v1/orders", headers=buyer,
                         json={"shipping_address": ADDRESS, "payment_token": "tok_visa"})
    return app, {"anonymous": {}, "customer": buyer, "seller": seller_headers,
                 "admin": admin_headers(client, shop)}


@pytest.mark.parametrize("role", ROLES)
def test_no_operation_answers_5xx(fuzz_shop: Commerce, role: str) -> None:
    app, people = _people(fuzz_shop)
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    headers = people[role]
    server_errors: list[str] = []
    modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the document itself is valid
        operation = result.ok()
        strategy = st.one_of(*(operation.as_strategy(generation_mode=m) for m in modes))

        @settings(max_examples=2 * EXAMPLES, deadline=None, database=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            if response.status_code >= 500:
                server_errors.append(f"{case.method} {case.formatted_path} "
                                     f"{response.status_code}: {case.as_curl_command()} -> "
                                     f"{response.text[:300]}")

        run()
    assert not server_errors, "\n".join(server_errors)
