"""Contract of the ActivityStore port (activity/ports.py): recent views and searches."""

from __future__ import annotations

from datetime import timedelta

from commerce_core.activity.ports import MAX_ENTRIES
from commerce_core.search.service import PopularSearches
from tests.contract.conftest import Backend


def test_activity_store_is_bounded_deduplicated_and_newest_first(backend: Backend) -> None:
    store = backend.storage.activity
    at = backend.clock.now()
    for i, product in enumerate([1, 2, 3, 1]):
        store.record_view(7, product, at + timedelta(seconds=i))
    assert [v.product_id for v in store.recent_views(7, 10)] == [1, 3, 2]
    for i in range(MAX_ENTRIES + 5):
        store.record_view(7, 100 + i, at + timedelta(minutes=1, seconds=i))
    views = store.recent_views(7, MAX_ENTRIES + 10)
    assert len(views) == MAX_ENTRIES and views[0].product_id == 100 + MAX_ENTRIES + 4
    store.record_search(7, "lamp", at)
    store.record_search(7, "desk", at + timedelta(seconds=1))
    store.record_search(7, "lamp", at + timedelta(seconds=2))
    assert [s.query for s in store.recent_searches(7, 10)] == ["lamp", "desk"]
    same = at + timedelta(seconds=3)  # one clock tick: the order of the calls decides
    for query in ("zebra", "apple"):
        store.record_search(7, query, same)
    assert [s.query for s in store.recent_searches(7, 2)] == ["apple", "zebra"]
    assert store.recent_views(8, 10) == []
    store.forget(7)
    assert store.recent_views(7, 10) == [] and store.recent_searches(7, 10) == []


def test_popular_searches_rank_queries_by_how_many_users_have_them(backend: Backend) -> None:
    """What the suggestions offer as "query": every user's recent searches starting with
    the prefix, by users (each counts once per query), then alphabetically."""
    store = backend.storage.activity
    assert isinstance(store, PopularSearches)
    at = backend.clock.now()
    for n, (user, query) in enumerate([(1, "lamp"), (1, "lamp"), (2, "lamp"), (3, "lamp"),
                                       (2, "lamp shade"), (3, "laptop"), (3, "desk"),
                                       (4, "50%_off")]):
        store.record_search(user, query, at + timedelta(seconds=n))
    assert store.popular_searches("la", 5) == ["lamp", "lamp shade", "laptop"]
    assert store.popular_searches("la", 1) == ["lamp"]
    assert store.popular_searches("lamp ", 5) == ["lamp shade"]
    assert store.popular_searches("50%", 5) == ["50%_off"]
    assert store.popular_searches("5_", 5) == [] and store.popular_searches(".", 5) == []
    assert store.popular_searches("zz", 5) == []
