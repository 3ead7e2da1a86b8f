"""The HTTP API with every Redis part on (carts, cache, sessions), as two workers would run
it: two shops over one SQLite file and one Redis, each with its own app. What one worker
writes, the other sees at once: a price, a category, a cart, a sign-out, a rate limit."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from falcon import testing

from commerce_adapters.bootstrap import NO_REAL_MONEY
from commerce_adapters.fake.payments import FakeGateway
from commerce_adapters.redis.cache import RedisCache
from commerce_adapters.redis.carts import RedisCartStore
from commerce_adapters.redis.ratelimit import RedisRateLimiter
from commerce_adapters.redis.revocations import RedisRevocations
from commerce_core.accounts.policy import Actor
from commerce_core.clock import ManualClock
from commerce_core.errors import Unauthenticated
from commerce_core.facade import Commerce
from commerce_http import create_app
from commerce_http.app import HttpSettings
from commerce_http.limits import Limits
from tests.conftest import ADMIN, SELLER, add_product, make_shop
from tests.contract.conftest import redis_test_client
from tests.http.conftest import sign_up
from tests.servers import server_url

ADDRESS = {"address_line_1": "1 Main St", "city": "Springfield", "postal_code": "12345",
           "country": "US", "state": "IL"}


@pytest.fixture
def prefix() -> str:
    redis_test_client()  # emptied: this run's own database
    return f"t{uuid.uuid4().hex[:8]}:"


@pytest.fixture
def workers(tmp_path: Path, clock: ManualClock, gateway: FakeGateway, prefix: str
            ) -> Iterator[tuple[Commerce, Commerce]]:
    url = server_url("redis")
    database = f"sqlite:///{tmp_path / 'shop.db'}"
    shops = tuple(make_shop(clock, gateway, database, cart_url=url, cache_url=url,
                            sessions_url=url, key_prefix=prefix) for _ in range(2))
    yield shops  # type: ignore[misc]


def _clients(shops: tuple[Commerce, Commerce], **settings: object
             ) -> tuple[testing.TestClient, testing.TestClient]:
    made = HttpSettings(**settings)  # type: ignore[arg-type]
    return testing.TestClient(create_app(shops[0], made)), \
        testing.TestClient(create_app(shops[1], made))


def test_every_part_is_on_redis(workers: tuple[Commerce, Commerce]) -> None:
    shop = workers[0]
    assert isinstance(shop.carts, RedisCartStore)
    assert isinstance(shop.cache, RedisCache)
    assert isinstance(shop.limiter, RedisRateLimiter)
    assert isinstance(shop.revocations, RedisRevocations)
    a, _ = _clients(workers)
    assert a.simulate_get("/health").json == {"status": "ok", "checks": {
        "database": "ok", "catalog": "ok", "carts": "ok", "sessions": "ok", "cache": "ok",
        "search": "ok"}, "real_money": False, "warning": NO_REAL_MONEY}


def test_a_change_on_one_worker_is_read_on_the_other_at_once(
        workers: tuple[Commerce, Commerce], prefix: str) -> None:
    _, b = _clients(workers)
    category = workers[0].catalog.create_category(ADMIN, "Lamps").id
    product = add_product(workers[0], category, "Desk lamp", ["49.90"], stock=10)
    first = b.simulate_get(f"/api/v1/products/{product.id}").json["data"]
    assert first["price"] == "49.90" and first["availability"]["quantity"] == 10
    cache = workers[1].cache
    assert cache.get(f"{prefix}product:{product.id}") is not None
    assert b.simulate_get(f"/api/v1/products/{product.id}").json["data"] == first  # a hit
    listing = b.simulate_get("/api/v1/products", params={"search": "lamp"}).json["data"]
    assert listing["products"][0]["price"] == "49.90"
    workers[0].catalog.set_price(SELLER, product.variants[0].id, "39.90")  # on worker A
    assert b.simulate_get(f"/api/v1/products/{product.id}").json["data"]["price"] == "39.90"
    again = b.simulate_get("/api/v1/products", params={"search": "lamp"}).json["data"]
    assert again["products"][0]["price"] == "39.90"
    workers[0].inventory.restock(SELLER, product.variants[0].id, 5, "delivery")
    assert b.simulate_get(f"/api/v1/products/{product.id}").json["data"][
        "availability"]["quantity"] == 15
    assert b.simulate_get("/api/v1/categories").json["data"]["categories"][0]["name"] \
        == "Lamps"
    workers[0].catalog.rename_category(ADMIN, category, "Lights")
    assert b.simulate_get("/api/v1/categories").json["data"]["categories"][0]["name"] \
        == "Lights"
    metrics = b.simulate_get("/metrics").text
    assert 'commerce_cache_reads_total{result="hit"}' in metrics


def test_a_store_rename_is_read_on_the_other_worker_at_once(
        workers: tuple[Commerce, Commerce]) -> None:
    a, b = _clients(workers)
    headers, seller_id = sign_up(a, "sam@example.com", role="seller")
    assert a.simulate_post("/api/v1/seller/profile", headers=headers,
                           json={"store_name": "Sam's Lamps"}).status_code == 201
    category = workers[0].catalog.create_category(ADMIN, "Lamps").id
    product = add_product(workers[0], category, "Desk lamp", ["49.90"],
                          seller=Actor.seller(seller_id))
    path = f"/api/v1/products/{product.id}"

    def shown() -> tuple[object, object]:
        detail = b.simulate_get(path).json["data"]["seller"]["name"]
        listing = b.simulate_get("/api/v1/products").json["data"]["products"]
        return detail, listing[0]["seller"]["name"]

    assert shown() == ("Sam's Lamps", "Sam's Lamps")
    assert shown() == ("Sam's Lamps", "Sam's Lamps")  # now from the cache
    renamed = a.simulate_put("/api/v1/seller/profile", headers=headers,
                             json={"store_name": "Sam's Lights"})
    assert renamed.status_code == 200, renamed.json
    assert shown() == ("Sam's Lights", "Sam's Lights")


def test_cart_checkout_and_order_detail_across_workers(
        workers: tuple[Commerce, Commerce]) -> None:
    a, b = _clients(workers)
    category = workers[0].catalog.create_category(ADMIN, "Lamps").id
    product = add_product(workers[0], category, "Desk lamp", ["49.90"], stock=10)
    headers, user_id = sign_up(a, "ann@example.com")
    added = a.simulate_post("/api/v1/cart/items", headers=headers,
                            json={"product_id": product.id, "quantity": 2})
    assert added.status_code == 201, added.json
    assert b.simulate_get("/api/v1/cart", headers=headers).json["data"]["items"][0][
        "quantity"] == 2
    placed = b.simulate_post("/api/v1/orders", headers=headers,
                             json={"shipping_address": ADDRESS, "payment_token": "tok_visa"})
    assert placed.status_code == 201, placed.json
    order_id = placed.json["data"]["order_id"]
    assert a.simulate_get("/api/v1/cart", headers=headers).json["data"]["items"] == []
    seen = a.simulate_get(f"/api/v1/orders/{order_id}", headers=headers)
    assert seen.status_code == 200 and seen.json["data"]["status"] == "CONFIRMED"
    other, _ = sign_up(b, "eve@example.com")
    assert b.simulate_get(f"/api/v1/orders/{order_id}", headers=other).status_code in (403, 404)
    cancelled = b.simulate_put(f"/api/v1/orders/{order_id}/cancel", headers=headers, json={})
    assert cancelled.status_code == 200, cancelled.json
    assert a.simulate_get(f"/api/v1/orders/{order_id}", headers=headers).json["data"][
        "status"] == "CANCELLED"
    assert user_id


def test_a_sign_out_on_one_worker_is_refused_by_the_other(
        workers: tuple[Commerce, Commerce]) -> None:
    a, b = _clients(workers)
    headers, _ = sign_up(a, "ann@example.com")
    assert b.simulate_get("/api/v1/users/me", headers=headers).status_code == 200
    assert a.simulate_post("/api/v1/auth/logout", headers=headers).status_code in (200, 204)
    refused = b.simulate_get("/api/v1/users/me", headers=headers)
    assert refused.status_code == 401


def test_a_per_user_limit_is_shared_by_the_workers(workers: tuple[Commerce, Commerce]
                                                   ) -> None:
    a, b = _clients(workers, limits=Limits(per_ip=1000, per_user=5, window_seconds=60))
    headers, _ = sign_up(a, "ann@example.com")
    statuses = [(a if n % 2 else b).simulate_get("/api/v1/users/me", headers=headers)
                for n in range(12)]
    assert [r.status_code for r in statuses].count(200) == 5
    refused = [r for r in statuses if r.status_code == 429]
    assert len(refused) == 7 and all(int(r.headers["Retry-After"]) >= 1 for r in refused)


def test_a_password_change_on_one_worker_voids_tokens_on_the_other(
        workers: tuple[Commerce, Commerce]) -> None:
    """Sessions on Redis hold sign-outs; the token generation a password change moves on is
    on the account row, which both workers read: old tokens die on both at once."""
    a, b = workers
    a.accounts.register("kim@example.com", "correct horse battery")
    signed_out = b.accounts.login("kim@example.com", "correct horse battery").token
    kept = a.accounts.login("kim@example.com", "correct horse battery").token
    b.accounts.logout(signed_out)
    with pytest.raises(Unauthenticated, match="signed out"):
        a.accounts.authenticate(signed_out)
    actor = b.accounts.authenticate(kept)
    fresh = b.accounts.change_password(actor, "correct horse battery", "tea for two, at 4").token
    for worker in workers:
        with pytest.raises(Unauthenticated, match="sign in again"):
            worker.accounts.authenticate(kept)
        assert worker.accounts.authenticate(fresh) == actor
