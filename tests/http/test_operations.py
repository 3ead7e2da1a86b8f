"""Rate limits, CORS, metrics and the first admin."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from falcon import testing

from commerce_adapters.memory.ratelimit import MemoryRateLimiter
from commerce_core.clock import ManualClock
from commerce_core.facade import Commerce
from commerce_http import create_app
from commerce_http.app import HttpSettings
from commerce_http.limits import Limits
from commerce_http.logs import JsonFormatter
from commerce_http.settings import ServeSettings, SettingError
from tests.http.conftest import PASSWORD, error, sign_up


def test_rate_limits_per_ip_and_per_user(shop: Commerce, clock: ManualClock) -> None:
    client = testing.TestClient(create_app(shop, HttpSettings(
        limits=Limits(per_ip=50, per_user=3, window_seconds=60))))
    headers, _ = sign_up(client, "ann@example.com")
    for _ in range(3):
        assert client.simulate_get("/api/v1/cart", headers=headers).status_code == 200
    limited = client.simulate_get("/api/v1/cart", headers=headers)
    assert limited.status_code == 429 and error(limited)["code"] == "rate_limited"
    # the test clock stands at the start of a minute and does not move: the whole window
    assert limited.headers["Retry-After"] == "60"
    assert client.simulate_get("/api/v1/products").status_code == 200  # anonymous: per IP
    clock.advance(timedelta(seconds=61))
    assert client.simulate_get("/api/v1/cart", headers=headers).status_code == 200
    # a limiter of its own: the shop's (its sessions part) still holds the counts above
    per_ip = testing.TestClient(create_app(shop, HttpSettings(
        limits=Limits(per_ip=2, per_user=100, window_seconds=60)),
        limiter=MemoryRateLimiter(clock)))
    codes = [per_ip.simulate_get("/api/v1/products").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert per_ip.simulate_get("/health").status_code == 200  # never limited


def test_cors_only_for_configured_origins(shop: Commerce) -> None:
    client = testing.TestClient(create_app(shop, HttpSettings(
        cors_origins=("https://shop.example",))))
    allowed = client.simulate_get("/api/v1/products", headers={"Origin": "https://shop.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    other = client.simulate_get("/api/v1/products", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    closed = testing.TestClient(create_app(shop))
    plain = closed.simulate_get("/api/v1/products", headers={"Origin": "https://shop.example"})
    assert "Access-Control-Allow-Origin" not in plain.headers


def test_metrics_count_requests_by_route_and_outcome(client: testing.TestClient) -> None:
    client.simulate_get("/api/v1/products")
    client.simulate_get("/api/v1/products/12345")
    headers, _ = sign_up(client, "ann@example.com")
    client.simulate_post("/api/v1/orders", headers=headers, json={"shipping_address": {}})
    text = client.simulate_get("/metrics").text
    assert ('commerce_http_requests_total{method="GET",route="/api/v1/products",status="200"}'
            ' 1.0') in text
    assert 'route="/api/v1/products/{product_id}",status="404"' in text
    assert 'commerce_outcomes_total{kind="checkout",status="422"} 1.0' in text
    assert "commerce_http_request_seconds_bucket" in text


def test_refused_requests_are_labelled_with_their_route(shop: Commerce,
                                                         clock: ManualClock) -> None:
    # a bad token (401) and the rate limit (429) refuse in middleware, before Falcon routes
    client = testing.TestClient(create_app(shop, HttpSettings(
        limits=Limits(per_ip=2, per_user=100, window_seconds=60)),
        limiter=MemoryRateLimiter(clock)))
    bad = {"Authorization": "Bearer not-a-token"}
    assert client.simulate_get("/api/v1/products/7", headers=bad).status_code == 401
    codes = [client.simulate_get("/api/v1/orders/5/timeline").status_code for _ in range(3)]
    assert codes == [401, 401, 429]  # anonymous: refused by sign-in, then by the limit
    client.simulate_get("/api/v1/no/such/route")
    text = client.simulate_get("/metrics").text
    assert ('commerce_http_requests_total{method="GET",route="/api/v1/products/{product_id}",'
            'status="401"} 1.0') in text
    assert ('commerce_http_requests_total{method="GET",'
            'route="/api/v1/orders/{order_id}/timeline",status="429"} 1.0') in text
    assert 'route="unmatched",status="429"' in text  # a path no route has stays unmatched
    assert 'route="unmatched",status="401"' not in text


def test_serve_settings_are_whole_numbers_in_range() -> None:
    assert ServeSettings.from_environment({}) == ServeSettings()
    read = ServeSettings.from_environment({"COMMERCE_WORKERS": " 4 ",
                                           "COMMERCE_GRACEFUL_TIMEOUT": "5",
                                           "COMMERCE_RATE_LIMIT_PER_IP": ""})  # blank: default
    assert (read.workers, read.graceful_timeout, read.limits.per_ip) == (4, 5, Limits().per_ip)
    for name, bad in [("COMMERCE_RATE_LIMIT_PER_IP", "abc"), ("COMMERCE_RATE_LIMIT_PER_USER",
                      "1_000"), ("COMMERCE_WORKER_TIMEOUT", "-1"), ("COMMERCE_WORKERS", "65"),
                      ("COMMERCE_GRACEFUL_TIMEOUT", "\u0663"), ("COMMERCE_WORKERS", "9" * 40)]:
        with pytest.raises(SettingError) as refused:
            ServeSettings.from_environment({name: bad})
        assert str(refused.value).startswith(f"{name}={bad!r} is not valid"), refused.value


def test_the_first_admin_is_made_once(shop: Commerce) -> None:
    assert shop.accounts.ensure_admin("root@example.com", PASSWORD)
    assert not shop.accounts.ensure_admin("other@example.com", PASSWORD)
    assert shop.accounts.login("root@example.com", PASSWORD).user.role.value == "admin"


def test_access_logs_are_json_and_never_hold_secrets(client: testing.TestClient,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    headers, user_id = sign_up(client, "ann@example.com")
    client.simulate_post("/api/v1/orders", headers=headers, json={
        "shipping_address": {}, "payment_token": "tok_4242424242424242"})
    token = headers["Authorization"].split()[1]
    lines = [JsonFormatter().format(r) for r in caplog.records]
    text = "\n".join(lines)
    for secret in (PASSWORD, token, "tok_4242424242424242"):
        assert secret not in text
    access = [json.loads(line) for line in lines if '"commerce.http.access"' in line]
    login = next(a for a in access if a["route"] == "/api/v1/auth/login")
    assert login["status"] == 200 and len(login["request_id"]) == 32
    order = next(a for a in access if a["route"] == "/api/v1/orders")
    assert order["user_id"] == user_id and order["status"] == 422
    # refused before routing (no token): still named by its route, not "unmatched"
    caplog.clear()
    assert client.simulate_get(f"/api/v1/orders/{10**6}").status_code == 401
    refused = [json.loads(JsonFormatter().format(r)) for r in caplog.records
               if r.name == "commerce.http.access"]
    assert [(a["route"], a["status"]) for a in refused] == [("/api/v1/orders/{order_id}", 401)]
