"""The search service on every backend's own index: indexing from events, typos, plurals,
synonyms, facets, cursors, suggestions, and the product listing's ``search``."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest

from commerce_core.catalog.service import VariantSpec
from commerce_core.errors import ValidationError
from commerce_core.events import CategoryMoved, InventoryUpdated, ProductRated, ProductUpdated
from commerce_core.facade import Commerce
from commerce_core.search.ports import ProductDocument
from commerce_core.search.text import Synonyms
from tests.conftest import ADMIN, CUSTOMER, SELLER, add_product, buy, register


def ids(shop: Commerce, text: str = "", **filters: object) -> list[int]:
    return [h.product_id for h in shop.search.search(None, text=text, **filters).hits]  # type: ignore[arg-type]


def named(shop: Commerce, category: int, name: str, **changes: object) -> int:
    product = add_product(shop, category, name)
    if changes:
        shop.catalog.update_product(SELLER, product.id, **changes)
    return product.id


def test_a_new_product_is_found_at_once_and_a_withdrawn_one_no_more(
        shop: Commerce, category: int) -> None:
    kettle = named(shop, category, "Steel kettle")
    assert ids(shop, "kettle") == [kettle]
    shop.catalog.deactivate_product(SELLER, kettle)
    assert ids(shop, "kettle") == []


def test_a_price_change_reaches_the_filters(shop: Commerce, category: int) -> None:
    product = add_product(shop, category, "Desk lamp", prices=("30.00",))
    assert ids(shop, "lamp", max_price=Decimal("20")) == []
    shop.catalog.set_price(SELLER, product.variants[0].id, "15.00")
    assert ids(shop, "lamp", max_price=Decimal("20")) == [product.id]


def test_stock_changes_reach_the_in_stock_filter(shop: Commerce, category: int) -> None:
    product = add_product(shop, category, "Desk lamp", stock=1)
    assert ids(shop, "lamp", in_stock=True) == [product.id]
    buy(shop, product.id)
    assert ids(shop, "lamp", in_stock=True) == []
    assert ids(shop, "lamp", in_stock=False) == [product.id]
    shop.inventory.restock(SELLER, product.variants[0].id, 5)
    assert ids(shop, "lamp", in_stock=True) == [product.id]


def test_only_a_stock_change_across_zero_rewrites_the_document(
        shop: Commerce, category: int) -> None:
    """A sale or restock that leaves the variant on the same side of zero changes nothing
    the index holds (its ``in_stock``): no catalog read, no write for it."""
    product = add_product(shop, category, "Desk lamp", stock=3)
    variant = product.variants[0].id
    stats = shop.search.indexer.stats
    written = stats.documents
    buy(shop, product.id)  # 3 -> 2 available
    shop.inventory.restock(SELLER, variant, 5)  # 2 -> 7
    shop.inventory.adjust(SELLER, variant, -4, "recount")  # 7 -> 3
    assert stats.documents == written and ids(shop, "lamp", in_stock=True) == [product.id]
    shop.inventory.adjust(SELLER, variant, -3, "recount")  # 3 -> 0: out of stock
    assert stats.documents == written + 1 and ids(shop, "lamp", in_stock=True) == []
    shop.inventory.restock(SELLER, variant, 1)  # 0 -> 1: in stock again
    assert stats.documents == written + 2 and ids(shop, "lamp", in_stock=True) == [product.id]


def test_a_stock_event_without_its_previous_count_still_refreshes(
        shop: Commerce, category: int) -> None:
    """Events recorded before ``available_before`` was carried refresh as they always did."""
    product = add_product(shop, category, "Desk lamp", stock=3)
    written = shop.search.indexer.stats.documents
    shop.search.indexer.handle(InventoryUpdated(
        occurred_at=shop.clock.now(), variant_id=product.variants[0].id, available=3,
        reserved=0, sold=0, reason="restock", product_id=product.id))
    assert shop.search.indexer.stats.documents == written + 1


def test_a_review_moves_the_rating_filter(shop: Commerce, category: int) -> None:
    product = add_product(shop, category, "Desk lamp")
    assert ids(shop, "lamp", rating_min=Decimal("4")) == []
    shop.reviews.write(CUSTOMER, product.id, 5, "Bright")
    assert ids(shop, "lamp", rating_min=Decimal("4")) == [product.id]


def test_moving_a_category_moves_its_products_in_the_sub_tree_filter(
        shop: Commerce, category: int) -> None:
    home = shop.catalog.create_category(ADMIN, "Home").id
    lamps = shop.catalog.create_category(ADMIN, "Lamps", parent_id=category).id
    product = named(shop, lamps, "Desk lamp")
    assert ids(shop, category_id=category) == [product]
    shop.catalog.move_category(ADMIN, lamps, home)
    assert ids(shop, category_id=category) == []
    assert ids(shop, category_id=home) == [product]


def test_a_replayed_or_late_event_changes_nothing(shop: Commerce, category: int) -> None:
    product = add_product(shop, category, "Desk lamp", prices=("30.00",))
    stale = ProductUpdated(occurred_at=shop.clock.now(), product_id=product.id,
                           seller_id=SELLER.user_id)
    shop.catalog.set_price(SELLER, product.variants[0].id, "12.00")
    before = shop.search.search(None, text="lamp")
    for event in (stale, stale, ProductRated(occurred_at=shop.clock.now(),
                                             product_id=product.id, seller_id=7),
                  CategoryMoved(occurred_at=shop.clock.now(), category_id=category)):
        shop.search.indexer.handle(event)
    after = shop.search.search(None, text="lamp")
    assert after == before
    assert ids(shop, "lamp", max_price=Decimal("20")) == [product.id]


def test_typos_plurals_and_partial_words(shop: Commerce, category: int) -> None:
    bike = named(shop, category, "Mountain bike")
    bottle = named(shop, category, "Water bottle")
    batteries = named(shop, category, "AA batteries")
    assert ids(shop, "bikes") == [bike]            # a plural
    assert ids(shop, "moutain bike") == [bike]     # one letter dropped
    assert ids(shop, "botlte") == [bottle]         # two letters swapped
    assert ids(shop, "battery") == [batteries]     # -ies
    assert ids(shop, "wat") == [bottle]            # the word being typed
    assert ids(shop, "bik") == [bike]
    assert ids(shop, "xyzzy") == []
    found = shop.search.search(None, text="moutain")
    assert found.corrected
    assert found.hits[0].highlights["name"] == "<em>Mountain</em> bike"
    assert not shop.search.search(None, text="mountain").corrected


def test_short_words_are_not_corrected(shop: Commerce, category: int) -> None:
    named(shop, category, "Red cap")
    assert ids(shop, "rod cap") == []  # three letters: no edit allowed


def test_synonyms_from_the_operator(shop: Commerce, category: int) -> None:
    tv = named(shop, category, "Smart television")
    assert ids(shop, "tv") == []
    shop.search.synonyms = Synonyms.parse("tv, television  # the usual one\n")
    assert ids(shop, "tv") == [tv]
    assert ids(shop, "televisions") == [tv]


def test_facets_count_every_match_not_just_the_page(shop: Commerce, category: int) -> None:
    lamps = shop.catalog.create_category(ADMIN, "Lamps", parent_id=category).id
    for i, (price, color) in enumerate([("10", "Red"), ("30", "red"), ("120", "Blue")]):
        add_product(shop, lamps, f"Lamp {i}", prices=(price,))
        product = shop.search.search(None, text=f"lamp {i}").hits[0].product_id
        shop.catalog.update_product(SELLER, product, attributes={"color": color})
    named(shop, category, "Kettle")
    found = shop.search.search(None, text="lamp", limit=1)
    assert found.total == 3 and found.total_is_exact and len(found.hits) == 1
    facets = found.facets
    assert facets is not None
    assert facets.categories == {category: 3, lamps: 3}
    assert facets.attributes == {"color": {"red": 2, "blue": 1}}
    assert [(b.low, b.count) for b in facets.prices if b.count] == [
        (Decimal(0), 1), (Decimal(25), 1), (Decimal(100), 1)]
    assert facets.ratings == {4: 0, 3: 0, 2: 0, 1: 0}
    red = shop.search.search(None, text="lamp", attributes={"color": "RED"})
    assert red.total == 2 and red.facets and red.facets.attributes == {"color": {"red": 2}}


def test_a_cursor_walks_every_match_once(shop: Commerce, category: int) -> None:
    made = {named(shop, category, f"Widget {i}") for i in range(5)}
    seen: list[int] = []
    cursor = None
    while True:
        found = shop.search.search(None, text="widget", limit=2, cursor=cursor)
        seen += [h.product_id for h in found.hits]
        cursor = found.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(made) and len(seen) == 5


@pytest.mark.parametrize("cursor", ["!!!", "eyJ4IjogMX0", "eyJzIjogLTF9"])
def test_a_forged_cursor_is_refused(shop: Commerce, cursor: str) -> None:
    with pytest.raises(ValidationError) as refused:
        shop.search.search(None, text="x", cursor=cursor)
    assert refused.value.details == {"cursor": "from next_cursor"}


def test_a_bad_sort_or_price_range_is_refused(shop: Commerce) -> None:
    with pytest.raises(ValidationError):
        shop.search.search(None, sort="cheapest")
    with pytest.raises(ValidationError):
        shop.search.search(None, min_price=Decimal(5), max_price=Decimal(1))


def test_suggestions_name_products_categories_and_popular_queries(
        shop: Commerce, category: int) -> None:
    shop.catalog.create_category(ADMIN, "Lamps & lights")
    named(shop, category, "Lamp shade")
    for n in range(2):
        buyer = register(shop, f"b{n}@example.com")
        shop.search.search(buyer, text="lamp oil")
    found = shop.search.suggest("lam")
    assert [(s.text, s.kind) for s in found] == [
        ("Lamp shade", "product"), ("Lamps & lights", "category"), ("lamp oil", "query")]
    assert shop.search.suggest("") == []
    with pytest.raises(ValidationError):
        shop.search.suggest("lam", limit=0)


def test_searches_feed_the_shoppers_activity(shop: Commerce, category: int) -> None:
    buyer = register(shop, "ann@example.com")
    shop.search.search(buyer, text="  Desk   LAMP ")
    assert [s.query for s in shop.activity.recent(buyer).searched] == ["desk lamp"]


def test_the_product_listing_search_goes_through_the_index(
        shop: Commerce, category: int) -> None:
    bike = named(shop, category, "Mountain bike")
    named(shop, category, "Kettle")
    page = shop.catalog.list_products(search="moutain bikes")
    assert [p.product_id for p in page.items] == [bike] and page.total_count == 1


def test_reindex_rebuilds_from_the_catalog(shop: Commerce, category: int) -> None:
    products = [named(shop, category, f"Lamp {i}") for i in range(3)]
    shop.search.index.clear()
    assert ids(shop, "lamp") == []
    steps: list[int] = []
    totals: list[int] = []
    assert shop.search.reindex(totals.append, steps.append) == 3
    assert totals == [3] and sum(steps) == 3
    assert sorted(ids(shop, "lamp")) == sorted(products)
    assert shop.search.state().documents == 3
    assert shop.search.indexer.stats.events > 0


def test_an_import_reaches_the_index_in_one_refresh(shop: Commerce, category: int,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-process bus hands the indexer a commit's events at once: a batch of imported
    products is one read of the catalog and one write to the index, not one per product."""
    written: list[int] = []
    index = shop.search.index.index

    def counted(docs: Sequence[ProductDocument]) -> None:
        written.append(len(docs))
        index(docs)

    monkeypatch.setattr(shop.search.index, "index", counted)
    done = shop.catalog.import_products(SELLER, [
        {"name": f"Lamp {n}", "category_id": category,
         "variants": [VariantSpec(f"IMP-{n}", Decimal("5"), stock=2)]} for n in range(30)])
    assert len(done.created) == 30
    assert written == [30]
    assert len(shop.search.search(None, text="lamp", limit=50).hits) == 30
    assert shop.search.indexer.stats.events == 30 and shop.search.indexer.stats.documents == 30
