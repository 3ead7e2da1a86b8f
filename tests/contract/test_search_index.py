"""Contract of the search index port, for every adapter of it: a new adapter adds one entry to
INDEXES. Every write is followed by ``refresh()``, so indexes that are not read-your-writes
(``read_your_writes = False``) pass the same suite."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Generator, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from commerce_adapters.elasticsearch.search import ElasticsearchSearchIndex, open_index
from commerce_adapters.memory.search import MemorySearchIndex
from commerce_adapters.sql.database import Database
from commerce_adapters.sql.search import SqlSearchIndex
from commerce_core.errors import ValidationError
from commerce_core.search.ports import (
    ProductDocument,
    Reindexable,
    SearchIndex,
    SearchQuery,
    SearchSort,
)
from commerce_core.search.text import Vocabulary, plan
from tests.servers import server_url
from tests.sql_servers import fresh_postgres, sqlite_template


def _memory() -> Generator[SearchIndex, None, None]:
    yield MemorySearchIndex()


def _sqlite() -> Generator[SearchIndex, None, None]:
    folder = Path(tempfile.mkdtemp(prefix="commerce-search-"))
    shutil.copy(sqlite_template(), folder / "shop.db")
    db = Database(f"sqlite:///{folder / 'shop.db'}")
    yield SqlSearchIndex(db)
    db.dispose()
    shutil.rmtree(folder, ignore_errors=True)


def _postgres() -> Generator[SearchIndex, None, None]:
    url = os.environ.get("COMMERCE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("COMMERCE_TEST_POSTGRES_URL is not set (and no Docker engine here)")
    db = Database(fresh_postgres(url))
    yield SqlSearchIndex(db)
    db.dispose()


def _elasticsearch() -> Generator[SearchIndex, None, None]:
    url = server_url("elasticsearch")
    index = open_index(f"{url}/commerce-test-{uuid.uuid4().hex[:12]}")
    yield index
    index.drop()


INDEXES: dict[str, Callable[[], Generator[SearchIndex, None, None]]] = {
    "memory": _memory, "sqlite": _sqlite, "postgres": _postgres,
    "elasticsearch": _elasticsearch}

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(params=sorted(INDEXES))
def index(request: pytest.FixtureRequest) -> Iterator[SearchIndex]:
    gen = INDEXES[request.param]()
    idx = next(gen)
    idx.clear()
    idx.refresh()
    yield idx
    next(gen, None)  # the rest of the factory: its clean-up (close() would skip it)


def doc(product_id: int, name: str = "Plain thing", *, description: str = "",
        tags: tuple[str, ...] = (), category_ids: frozenset[int] = frozenset({1}),
        seller_id: int = 7, price: str = "10.00", rating: str = "0", review_count: int = 0,
        in_stock: bool = True, created_at: datetime | None = None,
        attributes: Mapping[str, str] | None = None) -> ProductDocument:
    """A document; by default a higher id is a newer product."""
    return ProductDocument(
        product_id=product_id, name=name, description=description, category_ids=category_ids,
        seller_id=seller_id, min_price=Decimal(price), currency="USD", rating=Decimal(rating),
        review_count=review_count, in_stock=in_stock,
        created_at=created_at or T0 + timedelta(hours=product_id), tags=tags,
        attributes=dict(attributes or {}))


def put(index: SearchIndex, *docs: ProductDocument) -> None:
    index.index(docs)
    index.refresh()


def found(index: SearchIndex, text: str = "", **query: Any) -> list[int]:
    """The product ids of the first page, in order."""
    return [hit.product_id for hit in index.search(SearchQuery(text=text, **query)).hits]


# Text matching ----------------------------------------------------------------------------------
def test_a_word_finds_the_products_that_have_it(index: SearchIndex) -> None:
    put(index, doc(1, "Red running shoes"), doc(2, "Blue kettle", description="Boils milk"),
        doc(3, "Steel kettle", description="Boils water"),
        doc(4, "Mug", tags=("kitchen", "Water")))
    assert found(index, "kettle") == [3, 2]  # same score: newest first
    assert found(index, "WATER") == [4, 3]  # tags weigh more than the description
    assert found(index, "toaster") == []


def test_every_word_must_match(index: SearchIndex) -> None:
    put(index, doc(1, "Red running shoes"), doc(2, "Red kettle"), doc(3, "Running socks"))
    assert found(index, "red running") == [1]
    assert sorted(found(index, "running")) == [1, 3]
    assert found(index, "red toaster") == []


def test_words_are_whole_except_the_last_which_may_be_a_prefix(index: SearchIndex) -> None:
    put(index, doc(1, "Red running shoes"), doc(2, "Reddish shoebox"))
    assert found(index, "red sho") == [1]  # "red" is whole: "Reddish" does not match it
    assert sorted(found(index, "sho")) == [1, 2]
    assert found(index, "shoes red") == [1]
    assert found(index, "unn") == []  # a prefix, not any substring


def test_matching_ignores_case_and_punctuation(index: SearchIndex) -> None:
    put(index, doc(1, "Café crème, large!"))
    assert found(index, "CAFÉ") == [1]
    assert found(index, "large") == [1]
    assert found(index, "cr") == [1]


def test_a_name_match_ranks_above_a_tag_and_a_description_match(index: SearchIndex) -> None:
    put(index, doc(3, "Thing", description="a lamp for the desk"),
        doc(1, "Desk lamp"), doc(2, "Light", tags=("lamp",)))
    result = index.search(SearchQuery(text="lamp"))
    assert [h.product_id for h in result.hits] == [1, 2, 3]
    scores = [h.score for h in result.hits]
    assert scores[0] > scores[1] > scores[2]


def test_an_empty_text_matches_everything_newest_first(index: SearchIndex) -> None:
    put(index, doc(1), doc(3), doc(2, created_at=T0 + timedelta(days=30)))
    assert found(index) == [2, 3, 1]
    assert found(index, "  ") == [2, 3, 1]


# Filters ------------------------------------------------------------------------------------
def test_filters_by_category_including_ancestors(index: SearchIndex) -> None:
    put(index, doc(1, category_ids=frozenset({10, 11})), doc(2, category_ids=frozenset({10})),
        doc(3, category_ids=frozenset({20})))
    assert found(index, category_id=10) == [2, 1]
    assert found(index, category_id=11) == [1]
    assert found(index, category_id=99) == []


def test_filters_by_price_range_inclusive(index: SearchIndex) -> None:
    put(index, doc(1, price="5.00"), doc(2, price="10.00"), doc(3, price="20.00"))
    assert found(index, min_price=Decimal("10.00")) == [3, 2]
    assert found(index, max_price=Decimal("10.00")) == [2, 1]
    assert found(index, min_price=Decimal("6"), max_price=Decimal("19.99")) == [2]


def test_filters_by_minimum_rating(index: SearchIndex) -> None:
    put(index, doc(1, rating="3.9"), doc(2, rating="4.0"), doc(3, rating="4.8"))
    assert found(index, rating_min=Decimal("4.0")) == [3, 2]


def test_filters_by_stock(index: SearchIndex) -> None:
    put(index, doc(1, in_stock=True), doc(2, in_stock=False))
    assert found(index, in_stock=True) == [1]
    assert found(index, in_stock=False) == [2]
    assert found(index, in_stock=None) == [2, 1]


def test_filters_by_seller(index: SearchIndex) -> None:
    put(index, doc(1, seller_id=7), doc(2, seller_id=8))
    assert found(index, seller_id=8) == [2]


def test_filters_by_every_attribute_given_ignoring_case_of_values(index: SearchIndex) -> None:
    put(index, doc(1, attributes={"color": "Red", "size": "M"}),
        doc(2, attributes={"color": "red", "size": "L"}), doc(3, attributes={"size": "M"}))
    assert found(index, attributes={"color": "RED"}) == [2, 1]
    assert found(index, attributes={"color": "red", "size": "m"}) == [1]
    assert found(index, attributes={"color": "blue"}) == []


def test_filters_combine_with_text(index: SearchIndex) -> None:
    put(index, doc(1, "Red shoes", price="50"), doc(2, "Red shoes", price="80", seller_id=8),
        doc(3, "Blue shoes", price="60"))
    assert found(index, "shoes", max_price=Decimal("70")) == [3, 1]
    assert found(index, "red", seller_id=8) == [2]


# Sorts --------------------------------------------------------------------------------------
@pytest.fixture
def assorted(index: SearchIndex) -> SearchIndex:
    put(index,
        doc(1, price="30", rating="4.5", review_count=10),
        doc(2, price="10", rating="4.5", review_count=50),
        doc(3, price="20", rating="3.0", review_count=99, created_at=T0 + timedelta(days=9)),
        doc(4, price="40", rating="5.0", review_count=1))
    return index


@pytest.mark.parametrize(("sort", "expected"), [
    (SearchSort.PRICE_ASC, [2, 3, 1, 4]),
    (SearchSort.PRICE_DESC, [4, 1, 3, 2]),
    (SearchSort.RATING, [4, 2, 1, 3]),  # equal ratings: more reviews first
    (SearchSort.NEWEST, [3, 4, 2, 1]),
    (SearchSort.RELEVANCE, [3, 4, 2, 1]),  # no text, so no score: newest first
])
def test_sorts(assorted: SearchIndex, sort: SearchSort, expected: list[int]) -> None:
    assert found(assorted, sort=sort) == expected


def test_a_sort_applies_to_text_matches_only(assorted: SearchIndex) -> None:
    put(assorted, doc(5, "Special", price="1"), doc(6, "Special", price="2"))
    assert found(assorted, "special", sort=SearchSort.PRICE_DESC) == [6, 5]


# Paging -------------------------------------------------------------------------------------
def test_pages_with_an_exact_total(index: SearchIndex) -> None:
    put(index, *(doc(i, "Widget") for i in range(1, 8)), doc(99, "Gadget"))
    pages = [index.search(SearchQuery(text="widget", page=p, limit=3)) for p in (1, 2, 3, 4)]
    assert [[h.product_id for h in page.hits] for page in pages] == [
        [7, 6, 5], [4, 3, 2], [1], []]
    assert {page.total for page in pages} == {7}
    assert all(page.total_is_exact for page in pages)


@pytest.mark.parametrize(("page", "limit"), [(0, 20), (-1, 20), (1, 0), (1, 101)])
def test_a_bad_page_is_refused_before_any_index_sees_it(page: int, limit: int) -> None:
    with pytest.raises(ValidationError):
        SearchQuery(page=page, limit=limit)


def test_accepts_the_largest_page(index: SearchIndex) -> None:
    put(index, *(doc(i) for i in range(1, 106)))
    result = index.search(SearchQuery(limit=100))
    assert len(result.hits) == 100
    assert result.total == 105


# Writes -------------------------------------------------------------------------------------
def test_reindexing_replaces_the_document(index: SearchIndex) -> None:
    put(index, doc(1, "Old name", price="10"))
    put(index, doc(1, "Fresh title", price="99"))
    assert found(index, "old") == []
    assert found(index, "fresh") == [1]
    assert found(index, max_price=Decimal("50")) == []
    assert index.search(SearchQuery()).total == 1


def test_writes_are_searchable_at_once_or_after_a_refresh_as_the_index_says(
        index: SearchIndex) -> None:
    # read_your_writes: at once; otherwise refresh() is the promise every index keeps
    def settle() -> None:
        if not index.read_your_writes:
            index.refresh()

    index.index([doc(1, "Lamp")])
    settle()
    assert found(index, "lamp") == [1]
    index.remove([1])
    settle()
    assert found(index, "lamp") == []


def test_remove_drops_products_and_ignores_unknown_ids(index: SearchIndex) -> None:
    put(index, doc(1, "Lamp"), doc(2, "Lamp"))
    index.remove([1, 12345])
    index.refresh()
    assert found(index, "lamp") == [2]
    assert index.suggest("lam") == ["Lamp"]


def test_clear_drops_everything(index: SearchIndex) -> None:
    put(index, doc(1, "Lamp"), doc(2, "Mug"))
    index.clear()
    index.refresh()
    assert index.search(SearchQuery()).total == 0
    assert index.suggest("la") == []
    put(index, doc(3, "Lamp"))  # still usable afterwards
    assert found(index, "lamp") == [3]


# Suggestions --------------------------------------------------------------------------------
def test_suggests_distinct_names_most_reviewed_first(index: SearchIndex) -> None:
    put(index, doc(1, "Desk lamp", review_count=5), doc(2, "Lava lamp", review_count=40),
        doc(3, "Desk lamp", review_count=3), doc(4, "Lamp shade", review_count=5),
        doc(5, "Kettle", review_count=100), doc(6, "Clamp", review_count=100))
    assert index.suggest("LAM") == ["Lava lamp", "Desk lamp", "Lamp shade"]  # 5 = 5: by name
    assert index.suggest("lam", limit=2) == ["Lava lamp", "Desk lamp"]
    assert index.suggest("kett") == ["Kettle"]
    assert index.suggest("zzz") == []


def test_suggest_of_an_empty_prefix_is_empty(index: SearchIndex) -> None:
    put(index, doc(1, "Lamp"))
    assert index.suggest("") == []


# Facets, highlights, analysis, vocabulary, state ------------------------------------------
def test_facets_count_every_match_over_the_filtered_set(index: SearchIndex) -> None:
    put(index,
        doc(1, "Red lamp", category_ids=frozenset({1, 2}), price="10", rating="4.5",
            attributes={"color": "Red", "brand": "Lumen"}),
        doc(2, "Blue lamp", category_ids=frozenset({1, 2}), price="30", rating="3.2",
            attributes={"color": "blue"}),
        doc(3, "Red lamp", category_ids=frozenset({1, 3}), price="600", rating="1.0",
            attributes={"color": "RED"}),
        doc(4, "Kettle", category_ids=frozenset({1}), price="20", attributes={"color": "red"}))
    found = index.search(SearchQuery(text="lamp", limit=1, facets=True))
    assert found.total == 3 and len(found.hits) == 1
    facets = found.facets
    assert facets is not None
    assert facets.categories == {1: 3, 2: 2, 3: 1}
    assert facets.attributes == {"brand": {"lumen": 1}, "color": {"red": 2, "blue": 1}}
    assert [b.count for b in facets.prices] == [1, 1, 0, 0, 0, 1]
    assert facets.prices[-1].high is None and facets.prices[1].low == Decimal(25)
    assert facets.ratings == {4: 1, 3: 2, 2: 2, 1: 3}
    narrowed = index.search(SearchQuery(text="lamp", max_price=Decimal(100), facets=True))
    assert narrowed.facets is not None and narrowed.facets.categories == {1: 2, 2: 2}
    assert index.search(SearchQuery(text="lamp")).facets is None


def test_hits_carry_highlights_of_the_fields_that_matched(index: SearchIndex) -> None:
    put(index, doc(1, "Desk lamp", description="A lamp, bright & warm"), doc(2, "Lamp"))
    hits = {h.product_id: h.highlights for h in index.search(SearchQuery(text="lamps")).hits}
    assert hits[1] == {"name": "Desk <em>lamp</em>",
                       "description": "A <em>lamp</em>, bright & warm"}
    assert hits[2] == {"name": "<em>Lamp</em>"}
    assert all(not h.highlights for h in index.search(SearchQuery()).hits)


def test_plurals_and_accents_match_their_plain_forms(index: SearchIndex) -> None:
    put(index, doc(1, "Batteries"), doc(2, "Crème brûlée dish"), doc(3, "Boxes of glasses"))
    assert found(index, "battery") == [1]
    assert found(index, "creme brulee") == [2]
    assert found(index, "dishes") == [2]
    assert found(index, "box glass") == [3]


def test_terms_are_the_vocabulary_with_document_counts(index: SearchIndex) -> None:
    put(index, doc(1, "Red lamps", tags=("home",)), doc(2, "Red kettle", description="Steel"))
    assert index.terms() == {"red": 2, "lamp": 1, "home": 1, "kettle": 1, "steel": 1}


def test_state_counts_the_documents(index: SearchIndex) -> None:
    put(index, doc(1), doc(2))
    state = index.state()
    assert state.documents == 2 and state.backend


def test_a_rebuild_replaces_everything_at_once(index: SearchIndex) -> None:
    assert isinstance(index, Reindexable)  # every index here can; the indexer copes without
    put(index, doc(1, "Old lamp"), doc(2, "Old kettle"))
    assert index.rebuild(iter([doc(3, "New lamp")])) == 1
    index.refresh()
    assert found(index, "lamp") == [3]
    assert index.search(SearchQuery()).total == 1
    put(index, doc(4, "Newer lamp"))  # the rebuilt index takes writes
    assert found(index, "lamp") == [4, 3]


def test_totals_say_whether_they_are_exact(index: SearchIndex) -> None:
    put(index, *(doc(i, "Widget") for i in range(1, 4)))
    result = index.search(SearchQuery(text="widget"))
    assert result.total == 3 and result.total_is_exact


def test_a_broad_search_ranks_name_matches_first_and_counts_near_the_truth(
        index: SearchIndex) -> None:
    """1,200 description matches (past SQLite's bound of ranked candidates) and 10 name
    matches, the oldest of all: the name matches still lead; the total is exact or, when an
    index says it is not, within a third of the truth; facets count the same products."""
    put(index, *(doc(i, "Sofa bed", price="30") for i in range(1, 11)),
        *(doc(i, "Pillow", description="soft cotton", in_stock=i % 2 == 0, price="10")
          for i in range(11, 1211)))
    broad = index.search(SearchQuery(text="sof", limit=10, facets=True))
    assert sorted(h.product_id for h in broad.hits) == list(range(1, 11))
    assert broad.total == 1210 and broad.total_is_exact  # no filter: counted exactly
    filtered = index.search(SearchQuery(text="sof", limit=10, in_stock=True, facets=True))
    assert sorted(h.product_id for h in filtered.hits) == list(range(1, 11))
    assert filtered.total == 610 or (not filtered.total_is_exact
                                    and abs(filtered.total - 610) < 610 / 3)
    assert filtered.facets is not None
    assert filtered.facets.prices[1].count == 10  # every sofa, 25..50
    assert sum(b.count for b in filtered.facets.prices) in range(400, 611)



def other_shop(index: SearchIndex) -> SearchIndex:
    """A second handle on the same index, as another process of the shop opens it (memory
    has no other process: its one index)."""
    if isinstance(index, SqlSearchIndex):
        return SqlSearchIndex(Database(index._db.url))
    if isinstance(index, ElasticsearchSearchIndex):
        return ElasticsearchSearchIndex(index._es, index.alias)
    return index


def test_a_word_indexed_by_one_shop_is_corrected_at_once_by_another(index: SearchIndex) -> None:
    """Shop B read its vocabulary before shop A indexed a rare word: B's search for the word
    misspelled is still corrected, by the index's own vocabulary."""
    shop_b = other_shop(index)
    put(index, doc(1, "Plain lamp"))
    vocabulary_of_b = Vocabulary(shop_b.terms())
    put(index, doc(2, "Zanzibarite lamp", description="a quartzite shade"))
    for typed in ("zanzibartie", "zanzibarit", "quartzute lamp"):
        query = SearchQuery(text=typed, terms=plan(typed, vocabulary_of_b))
        assert [h.product_id for h in shop_b.search(query).hits] == [2], typed
    unknown = SearchQuery(text="qwertyuiop", terms=plan("qwertyuiop", vocabulary_of_b))
    assert shop_b.search(unknown).hits == []


def next_page(index: SearchIndex, first: Any, **query: Any) -> list[int]:
    """The page after ``first`` (a SearchResults), read by its last hit's key."""
    return found(index, **query, after=first.hits[-1].key)


@pytest.mark.parametrize("sort", [SearchSort.RELEVANCE, SearchSort.PRICE_ASC,
                                  SearchSort.NEWEST, SearchSort.RATING])
def test_a_page_after_a_key_neither_repeats_nor_skips_when_products_are_added(
        index: SearchIndex, sort: SearchSort) -> None:
    """Page 1, then a product that sorts before its last hit, then page 2 by the last hit's
    key: page 2 is what it was (no duplicate, no gap)."""
    put(index, *(doc(i, "Widget", price=str(10 + i), rating=str(i % 5), review_count=i)
                 for i in range(1, 9)))
    first = index.search(SearchQuery(text="widget", sort=sort, limit=3))
    expected = found(index, "widget", sort=sort, limit=3, page=2)
    put(index, doc(50, "Widget", price="1", rating="5", review_count=999,
                   created_at=T0 + timedelta(days=30)))  # first in every one of these sorts
    assert next_page(index, first, text="widget", sort=sort, limit=3) == expected
    assert 50 not in expected and not set(expected) & {h.product_id for h in first.hits}
