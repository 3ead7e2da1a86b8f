"""``commerce serve --workers 2`` with the sessions part on Redis: a per-user limit of N lets
exactly N requests through in the window, whichever worker serves them (with each worker
counting alone, as in memory, about 2N went through)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.contract.conftest import redis_test_client
from tests.integration.test_serve_process import call
from tests.servers import server_url
from tests.serving import served

PER_USER = 25


def test_a_per_user_limit_of_n_lets_exactly_n_through_two_workers(tmp_path: Path) -> None:
    redis_test_client()  # this run's own database, emptied
    settings = {"COMMERCE_SESSIONS_URL": server_url("redis"),
                "COMMERCE_REDIS_PREFIX": f"serve{uuid.uuid4().hex[:6]}:",
                "COMMERCE_RATE_LIMIT_PER_USER": str(PER_USER),
                "COMMERCE_RATE_LIMIT_PER_IP": "1000000"}
    with served(f"sqlite:///{tmp_path / 'shop.db'}", workers=2, **settings) as base:
        made, _ = call(base, "POST", "/api/v1/users/register", {
            "email": "ann@example.com", "password": "correct-horse-42", "name": "Ann"})
        assert made == 201
        status, body = call(base, "POST", "/api/v1/auth/login",
                            {"email": "ann@example.com", "password": "correct-horse-42"})
        assert status == 200, body
        token = body["data"]["access_token"]
        with ThreadPoolExecutor(8) as pool:  # concurrent connections: both workers serve
            answers = list(pool.map(lambda _: call(base, "GET", "/api/v1/users/me",
                                                   token=token), range(3 * PER_USER)))
        statuses = [s for s, _ in answers]
        assert statuses.count(200) == PER_USER, statuses
        assert statuses.count(429) == 2 * PER_USER
        refused = next(b for s, b in answers if s == 429)
        assert refused["error"]["code"] == "rate_limited"
        assert 0 < refused["error"]["details"]["retry_after"] <= 60
