"""A shop whose search part is Elasticsearch (the Elasticsearch-API test server): events
reach it, searches read it after its refresh, and a rebuild swaps the alias without a
moment where searches find nothing."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest

from commerce_adapters.elasticsearch.search import ElasticsearchSearchIndex
from commerce_adapters.fake.payments import FakeGateway
from commerce_core.clock import ManualClock
from commerce_core.facade import Commerce
from tests.conftest import ADMIN, SELLER, add_product, make_shop
from tests.servers import server_url


@pytest.fixture
def es_shop(clock: ManualClock, gateway: FakeGateway) -> Iterator[Commerce]:
    alias = f"commerce-shop-{uuid.uuid4().hex[:12]}"
    shop = make_shop(clock, gateway, "memory://",
                     search_url=f"{server_url('elasticsearch')}/{alias}".replace(
                         "http://", "elasticsearch://"))
    yield shop
    index = shop.search.index
    assert isinstance(index, ElasticsearchSearchIndex)
    index.drop()


def test_events_reach_the_index_and_a_refresh_shows_them(es_shop: Commerce) -> None:
    category = es_shop.catalog.create_category(ADMIN, "Bikes").id
    bike = add_product(es_shop, category, "Mountain bike", prices=("300.00",))
    es_shop.search.index.refresh()
    found = es_shop.search.search(None, text="moutain bikes")
    assert [h.product_id for h in found.hits] == [bike.id] and found.corrected
    assert found.facets is not None and found.facets.categories == {category: 1}
    es_shop.catalog.set_price(SELLER, bike.variants[0].id, "150.00")
    es_shop.search.index.refresh()
    assert es_shop.search.search(None, text="bike", max_price=Decimal(150)).total == 1
    state = es_shop.search.state()
    assert state.backend == "elasticsearch" and state.documents == 1


def test_a_rebuild_never_leaves_searches_empty(es_shop: Commerce) -> None:
    category = es_shop.catalog.create_category(ADMIN, "Lamps").id
    made = {add_product(es_shop, category, f"Lamp {i}").id for i in range(30)}
    es_shop.search.index.refresh()
    before = es_shop.search.state().detail
    seen: list[int] = []
    done = threading.Event()

    def search() -> None:
        while not done.is_set():
            seen.append(es_shop.search.search(None, text="lamp", facets=False).total)

    reader = threading.Thread(target=search)
    reader.start()
    try:
        assert es_shop.search.reindex() == 30
    finally:
        done.set()
        reader.join()
    assert seen and min(seen) == 30  # old index until the swap, the new one after
    after = es_shop.search.state()
    assert after.documents == 30 and after.detail != before  # another index behind the alias
    assert {h.product_id for h in es_shop.search.search(None, text="lamp", limit=50).hits} == made
