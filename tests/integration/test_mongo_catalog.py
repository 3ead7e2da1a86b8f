"""The catalog part on MongoDB beside a transactional store: what only this adapter has.

Concurrent review writers and voters on one product (exact counts without transactions),
optimistic versions on product updates, the repair of counters a crash left behind, the
indexes made on first use. The contract suites (tests/contract, ``[mongo]``) cover the ports.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from commerce_adapters.mongo import session as mongo_session
from commerce_adapters.mongo.store import MongoStore
from commerce_core.accounts.policy import Actor
from commerce_core.clock import ManualClock
from commerce_core.errors import Conflict
from commerce_core.facade import Commerce
from commerce_core.uow import RELAY_GRACE
from tests.concurrency import run_together
from tests.conftest import ADMIN, SELLER, add_product, make_shop
from tests.mongo_servers import drop_mongo, fresh_mongo
from tests.servers import server_url
from tests.sql_servers import sqlite_template


@pytest.fixture
def catalog_url() -> Iterator[str]:
    url = fresh_mongo(server_url("mongo"))
    yield url
    drop_mongo(MongoStore(url))


@pytest.fixture
def shop(tmp_path: Path, clock: ManualClock, gateway: object, catalog_url: str) -> Commerce:
    db = tmp_path / "shop.db"
    db.write_bytes(sqlite_template().read_bytes())
    return make_shop(clock, gateway, f"sqlite:///{db}", catalog_url=catalog_url)  # type: ignore[arg-type]


def _rating(shop: Commerce, product_id: int) -> tuple[Decimal | None, int]:
    p = shop.catalog.get_product(product_id)
    return p.rating, p.review_count


def test_twelve_concurrent_review_writers_leave_rating_and_count_exact(shop: Commerce) -> None:
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    p = add_product(shop, category)
    stars = [random.Random(17).randint(1, 5) for _ in range(48)]

    def write(worker: int) -> None:
        for i in range(worker, 48, 12):
            actor = Actor.customer(7000 + i)
            review = shop.reviews.write(actor, p.id, stars[i], "t")
            if i % 4 == 0:  # edits and deletions interleave with the others' writes
                shop.reviews.edit(actor, review.id, rating=6 - stars[i])
                stars[i] = 6 - stars[i]
            if i % 7 == 0:
                shop.reviews.delete(actor, review.id)
                stars[i] = 0

    assert run_together([functools.partial(write, w) for w in range(12)]) == []
    kept = [s for s in stars if s]
    expected = (Decimal(sum(kept)) / len(kept)).quantize(Decimal("0.01"))
    assert _rating(shop, p.id) == (expected, len(kept))
    assert shop.reviews.list(p.id, limit=100).stats.count == len(kept)


def test_twelve_concurrent_voters_on_one_review_count_exactly(shop: Commerce) -> None:
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    p = add_product(shop, category)
    review = shop.reviews.write(Actor.customer(1), p.id, 5, "Bright")

    def vote(worker: int) -> None:
        voter = Actor.customer(100 + worker)
        shop.reviews.vote(voter, review.id, helpful=True)
        if worker % 3 == 0:  # a change of mind replaces the vote
            shop.reviews.vote(voter, review.id, helpful=False)

    assert run_together([functools.partial(vote, w) for w in range(12)]) == []
    shown = shop.reviews.get(review.id)
    assert (shown.helpful_count, shown.unhelpful_count) == (8, 4)


def test_a_product_update_from_a_stale_read_is_refused(shop: Commerce) -> None:
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    p = add_product(shop, category)
    with shop.catalog_sessions() as first, shop.catalog_sessions() as second:
        a, b = first.products.get(p.id), second.products.get(p.id)
        a.name, b.name = "First", "Second"
        first.products.update(a)
        second.products.update(b)
        first.commit()
        with pytest.raises(Conflict, match="changed by another writer"):
            second.commit()
    assert shop.catalog.get_product(p.id).name == "First"


def test_counters_a_crash_left_behind_are_recounted_by_the_maintenance_pass(
        shop: Commerce, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    p = add_product(shop, category)
    shop.reviews.write(Actor.customer(1), p.id, 4, "Fine")

    def crash(*_: object) -> None:
        raise KeyboardInterrupt  # the process dies after the review, before its counters
    monkeypatch.setattr(mongo_session, "apply_increments", crash)
    with pytest.raises(KeyboardInterrupt):
        shop.reviews.write(Actor.customer(2), p.id, 1, "Dim")
    monkeypatch.undo()
    assert _rating(shop, p.id) == (Decimal("4.00"), 1)  # one review behind
    assert shop.run_maintenance()["repaired_catalog_counts"] == 0  # may still be writing
    clock.advance(RELAY_GRACE + timedelta(seconds=1))
    assert shop.run_maintenance()["repaired_catalog_counts"] == 1
    assert _rating(shop, p.id) == (Decimal("2.50"), 2)
    assert shop.run_maintenance()["repaired_catalog_counts"] == 0


def test_indexes_are_made_on_first_use(shop: Commerce, catalog_url: str) -> None:
    shop.catalog.create_category(ADMIN, "Lamps")
    store = MongoStore(catalog_url)
    try:
        products = store.db["products"].index_information()
        assert products["unique_sku"]["unique"] and products["unique_sku"]["key"] == [
            ("variants.sku", 1)]
        assert {"category", "seller", "created"} <= products.keys()
        assert store.db["reviews"].index_information()["one_per_author"]["unique"]
        assert store.db["review_votes"].index_information()["one_per_voter"]["unique"]
        ttl = store.db["activity"].index_information()["ttl"]
        assert ttl["expireAfterSeconds"] == 90 * 24 * 3600
    finally:
        store.close()


def test_stock_and_prices_stay_in_the_database(shop: Commerce) -> None:
    """A listing's in_stock filter reads the transactional store's stock rows; selling
    out moves a product between the two answers with no write to the catalog."""
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    p = add_product(shop, category, stock=1)
    q = add_product(shop, category, name="Other", stock=0)

    def stocked(flag: bool) -> list[int]:
        return [s.product_id for s in shop.catalog.list_products(in_stock=flag).items]
    assert (stocked(True), stocked(False)) == ([p.id], [q.id])
    shop.inventory.adjust(SELLER, p.variants[0].id, -1, "count")
    assert (stocked(True), sorted(stocked(False))) == ([], sorted([p.id, q.id]))
