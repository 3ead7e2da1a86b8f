"""A Redis outage mid-run, on a private ``redis-server`` (a free port, no persistence) that
is frozen (SIGSTOP: it stops answering, as a hung or partitioned server does) and then
resumed (SIGCONT). While it is away, reads answer from the database, carts answer 503 naming
the cart store, /health says degraded, and a change made meanwhile is not hidden by the
cache when it returns; nothing written before the outage is lost."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from falcon import testing

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.clock import ManualClock
from commerce_http import create_app
from tests.conftest import ADMIN, SELLER, add_product, make_shop
from tests.http.conftest import error, sign_up
from tests.serving import free_port

# fail fast while it is frozen: each call gives up after 0.3 s (and one retry)
FAST = "socket_timeout=0.3&socket_connect_timeout=0.3"


@pytest.fixture
def private_redis() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    binary = shutil.which("redis-server")
    # the outage is a process of this test's own: every machine that runs the suite has
    # Redis (README), so a missing binary is a broken setup, not a reason to skip
    assert binary is not None, "redis-server is not on PATH: install Redis (apt install redis)"
    port = free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1",
                               "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    probe = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            probe.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0?{FAST}", server
    server.send_signal(signal.SIGCONT)  # a frozen process takes no TERM
    server.terminate()
    server.wait(timeout=10)


def test_an_outage_is_bypassed_for_reads_and_refused_for_carts(
        private_redis: tuple[str, subprocess.Popen[bytes]], tmp_path: Path,
        clock: ManualClock, gateway: FakeGateway) -> None:
    url, server = private_redis
    # sessions stay in the database here, so the carts' own answer shows; with them on
    # the same Redis, a signed-in request is refused first (below)
    shop = make_shop(clock, gateway, f"sqlite:///{tmp_path / 'shop.db'}", cart_url=url,
                     cache_url=url)
    client = testing.TestClient(create_app(shop))
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    product = add_product(shop, category, "Desk lamp", ["49.90"], stock=10)
    headers, _ = sign_up(client, "ann@example.com")
    added = client.simulate_post("/api/v1/cart/items", headers=headers,
                                 json={"product_id": product.id, "quantity": 2})
    assert added.status_code == 201
    path = f"/api/v1/products/{product.id}"
    assert client.simulate_get(path).json["data"]["price"] == "49.90"  # now cached

    server.send_signal(signal.SIGSTOP)
    try:
        detail = client.simulate_get(path)
        assert detail.status_code == 200 and detail.json["data"]["price"] == "49.90"
        shop.catalog.set_price(SELLER, product.variants[0].id, "39.90")  # while it is away
        assert client.simulate_get(path).json["data"]["price"] == "39.90"  # from the database
        listing = client.simulate_get("/api/v1/products", params={"search": "lamp"})
        assert listing.status_code == 200 and listing.json["data"]["products"]
        cart = client.simulate_get("/api/v1/cart", headers=headers)
        assert cart.status_code == 503
        assert error(cart)["code"] == "unavailable"
        assert "cart store is unavailable" in error(cart)["message"]
        more = client.simulate_post("/api/v1/cart/items", headers=headers,
                                    json={"product_id": product.id})
        assert more.status_code == 503
        health = client.simulate_get("/health")
        assert health.status_code == 200 and health.json["status"] == "degraded"
        assert health.json["checks"]["database"] == "ok"
        assert health.json["checks"]["cache"].startswith("down")
        assert health.json["checks"]["carts"].startswith("down")
        metrics = client.simulate_get("/metrics").text
        assert 'commerce_cache_reads_total{result="error"}' in metrics
    finally:
        server.send_signal(signal.SIGCONT)

    # back: the cart is whole, the change made meanwhile shows (the cached price was
    # dropped once the cache answered), and carts take changes again
    cart = client.simulate_get("/api/v1/cart", headers=headers)
    assert cart.status_code == 200
    assert [i["quantity"] for i in cart.json["data"]["items"]] == [2]
    assert client.simulate_get(path).json["data"]["price"] == "39.90"
    assert client.simulate_post("/api/v1/cart/items", headers=headers,
                                json={"product_id": product.id}).status_code == 201
    assert client.simulate_get("/health").json["status"] == "ok"


def test_with_sessions_on_the_frozen_redis_signed_in_requests_get_503_and_reads_answer(
        private_redis: tuple[str, subprocess.Popen[bytes]], tmp_path: Path,
        clock: ManualClock, gateway: FakeGateway) -> None:
    url, server = private_redis
    shop = make_shop(clock, gateway, f"sqlite:///{tmp_path / 'shop.db'}", cart_url=url,
                     cache_url=url, sessions_url=url)
    client = testing.TestClient(create_app(shop))
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    product = add_product(shop, category, "Desk lamp", ["49.90"], stock=10)
    headers, _ = sign_up(client, "ann@example.com")
    server.send_signal(signal.SIGSTOP)
    try:
        # the rate limiter fails open (the default): an anonymous read still answers
        assert client.simulate_get(f"/api/v1/products/{product.id}").status_code == 200
        me = client.simulate_get("/api/v1/users/me", headers=headers)
        assert me.status_code == 503  # a revoked token must never pass: refused, not let in
        assert "sessions store is unavailable" in error(me)["message"]
    finally:
        server.send_signal(signal.SIGCONT)
    assert client.simulate_get("/api/v1/users/me", headers=headers).status_code == 200
