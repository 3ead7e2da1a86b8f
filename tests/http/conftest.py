"""The API through Falcon's test client, on a memory shop with a hand-driven clock."""

from __future__ import annotations

from typing import Any

import pytest
from falcon import testing

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.accounts.policy import Actor
from commerce_core.clock import ManualClock
from commerce_core.facade import Commerce
from commerce_http import create_app
from tests.conftest import make_shop

PASSWORD = "correct-horse-42"


@pytest.fixture
def shop(clock: ManualClock, gateway: FakeGateway) -> Commerce:
    return make_shop(clock, gateway)


@pytest.fixture
def client(shop: Commerce) -> testing.TestClient:
    return testing.TestClient(create_app(shop))


def sign_up(client: testing.TestClient, email: str, role: str = "customer"
            ) -> tuple[dict[str, str], int]:
    """Register and log in over HTTP; the auth headers and the user id."""
    made = client.simulate_post("/api/v1/users/register", json={
        "email": email, "password": PASSWORD, "name": "Pat Doe", "role": role})
    assert made.status_code == 201, made.json
    login = client.simulate_post("/api/v1/auth/login",
                                 json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.json
    token = login.json["data"]["access_token"]
    return {"Authorization": f"Bearer {token}"}, int(made.json["data"]["user_id"])


def error(result: Any) -> dict[str, Any]:
    """The error block of an error envelope (and check it is one)."""
    assert result.json["status"] == "error", result.json
    err: dict[str, Any] = result.json["error"]
    assert set(err) == {"code", "message", "details"}
    return err


def actor_of(shop: Commerce, headers: dict[str, str]) -> Actor:
    return shop.accounts.authenticate(headers["Authorization"].split()[1])
