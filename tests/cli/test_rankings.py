"""``commerce rankings`` in local mode, with the rankings beside a Redis cache: what the
shop's workers counted (here, a shop opened by the test) is what the command prints."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from typer.testing import CliRunner

from commerce_adapters.fake.payments import FakeGateway
from commerce_cli.main import app
from commerce_core.clock import SystemClock
from tests.conftest import ADMIN, HOME, OTHER_SELLER, SECRET, add_product, make_shop
from tests.contract.conftest import redis_test_client
from tests.servers import server_url


def test_rankings_print_what_the_shop_counted(tmp_path: Path) -> None:
    redis_test_client()
    url, db = server_url("redis"), f"sqlite:///{tmp_path / 'shop.db'}"
    prefix = f"cli{uuid.uuid4().hex[:6]}:"
    shop = make_shop(SystemClock(), FakeGateway(), db, cache_url=url,  # type: ignore[arg-type]
                     key_prefix=prefix)
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    lamp = add_product(shop, category, "Desk lamp", ["49.90"], stock=10, seller=OTHER_SELLER)
    buyer = shop.accounts.register("ann@example.com", "correct-horse-42", "Ann")
    actor = shop.accounts.authenticate(shop.accounts.login("ann@example.com",
                                                           "correct-horse-42").token)
    shop.cart.add_item(actor, lamp.id, 3)
    placed = shop.checkout.place_order(actor, HOME, payment_token="tok_visa")
    assert placed.order.status.value == "CONFIRMED" and buyer.id
    shop.rankings.viewed(lamp.id)
    env = {"COMMERCE_SECRET_KEY": SECRET, "COMMERCE_CACHE_URL": url,
           "COMMERCE_REDIS_PREFIX": prefix}
    runner = CliRunner(env=env)
    sellers = runner.invoke(app, ["--database-url", db, "rankings", "top-sellers", "--json"])
    assert sellers.exit_code == 0, sellers.output
    assert json.loads(sellers.stdout) == [{"seller_id": str(OTHER_SELLER.user_id), "score": 3,
                                           "rank": 1}]
    trending = runner.invoke(app, ["--database-url", db, "rankings", "trending"])
    assert trending.exit_code == 0 and str(lamp.id) in trending.stdout and "16" in trending.stdout
    bad = runner.invoke(app, ["--database-url", db, "rankings", "trending", "--limit", "0"])
    assert bad.exit_code != 0
