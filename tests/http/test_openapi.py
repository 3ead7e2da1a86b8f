"""The OpenAPI document matches the app, and the app holds to it under generated input."""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import schemathesis
from falcon import testing

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.clock import ManualClock
from commerce_core.facade import Commerce
from commerce_http import api, create_app
from commerce_http.app import HttpSettings
from commerce_http.limits import Limits
from commerce_http.openapi import SERVICE_PATHS
from tests.conftest import ADMIN, add_product, make_shop
from tests.http.conftest import PASSWORD, sign_up


def test_every_route_is_described_and_every_description_is_served(
        client: testing.TestClient) -> None:
    spec = client.simulate_get("/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    served = {(path, method) for path, item in spec["paths"].items() for method in item}
    declared = {(op.path, op.method.lower()) for op in api.OPERATIONS}
    assert served == declared | {(p, m) for p, item in SERVICE_PATHS.items() for m in item}
    for item in spec["paths"].values():
        for operation in item.values():
            assert operation["summary"] and "default" in operation["responses"]


def _app() -> tuple[Any, Commerce]:
    shop = make_shop(ManualClock(), FakeGateway())
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    add_product(shop, category, "Desk lamp", stock=50)
    app = create_app(shop, HttpSettings(limits=Limits(per_ip=10**9, per_user=10**9)))
    sign_up(testing.TestClient(app), "fuzz@example.com")
    return app, shop


APP, SHOP = _app()
schema = schemathesis.openapi.from_wsgi("/openapi.json", APP)


def _signed_in() -> dict[str, str]:
    """A fresh token per case: a generated logout must not sign out the next case."""
    return {"Authorization": "Bearer "
            + SHOP.accounts.login("fuzz@example.com", PASSWORD).token}


@schema.parametrize()
@hypothesis.settings(max_examples=8, deadline=None, derandomize=True,
                     suppress_health_check=list(hypothesis.HealthCheck))
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "customer"])
def test_no_generated_request_breaks_the_api(case: Any, signed_in: bool) -> None:
    """Schemathesis: no 5xx, and every answer matches the document. Not checked: that every
    schema-valid request is accepted (business rules refuse some, rightly: an empty email),
    and that every schema-violating one is refused (unknown query parameters are ignored, as
    most APIs do, and the generator adds them at random; the fields the API reads are checked
    by the tests of each endpoint)."""
    case.call_and_validate(headers=_signed_in() if signed_in else {},
                           excluded_checks=[schemathesis.checks.positive_data_acceptance,
                                            schemathesis.checks.negative_data_rejection])
