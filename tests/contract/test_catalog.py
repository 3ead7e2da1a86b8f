"""Contract of the catalog ports: ProductRepository, CategoryRepository, CatalogSession."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commerce_core.catalog.model import Category, Product, ProductSort, Variant
from commerce_core.catalog.ports import ProductQuery
from commerce_core.catalog.views import After
from commerce_core.errors import Conflict, NotFound
from commerce_core.inventory.model import Reservation, ReservationLine, StockItem
from commerce_core.money import Money
from commerce_core.pagination import PageRequest
from tests.contract.conftest import Backend


def _product(backend: Backend, name: str, price: str, category: int, seller: int = 1,
             rating: str | None = None, sku: str | None = None) -> Product:
    pid = backend.ids.next_id()
    variant = Variant(backend.ids.next_id(), pid, sku or f"SKU-{pid}", Money(price, "USD"),
                      {"size": "M"})
    return Product(pid, seller, name, category, "USD", [variant], description=f"all about {name}",
                   rating=Decimal(rating) if rating else None, created_at=backend.clock.now())


def _categories(backend: Backend, *names: str) -> None:
    """Committed categories 1, 2, ... (a product's category must exist)."""
    with backend.catalog() as session:
        for number, name in enumerate(names, start=1):
            session.categories.add(Category(number, name, created_at=backend.clock.now()))
        session.commit()


def _catalog(backend: Backend) -> dict[str, Product]:
    """Four products in two categories; 'cheap' has no stock."""
    now = backend.clock.now()
    products = {
        "cheap": _product(backend, "Cheap phone", "50", 1, rating="3.0"),
        "mid": _product(backend, "Mid phone", "300", 1, rating="4.5"),
        "tablet": _product(backend, "Pricey tablet", "900", 2, seller=2),
        "book": _product(backend, "Book on phones", "20", 2, rating="4.0"),
    }
    _categories(backend, "Phones", "Other")
    with backend.catalog() as session:
        for p in products.values():
            session.products.add(p)
        session.commit()
    with backend.uow() as uow:  # the stock rows live in the transactional store
        for key, p in products.items():
            uow.inventory.add(StockItem(p.variants[0].id, p.id, p.seller_id))
            if key != "cheap":
                uow.inventory.restock(p.variants[0].id, 5, "opening", now)
        uow.commit()
    return products


# ProductRepository ---------------------------------------------------------------------------

def test_product_find_filters_sorts_and_pages(backend: Backend) -> None:
    ps = _catalog(backend)

    def find(**kw: object) -> list[str]:
        with backend.catalog(read_only=True) as session:
            page = session.products.find(ProductQuery(**kw), PageRequest(1, 10))  # type: ignore[arg-type]
        by_id = {p.id: k for k, p in ps.items()}
        return [by_id[p.id] for p in page.items]

    assert find(sort=ProductSort.PRICE_ASC) == ["book", "cheap", "mid", "tablet"]
    assert find(sort=ProductSort.PRICE_DESC) == ["tablet", "mid", "cheap", "book"]
    assert find(sort=ProductSort.RATING) == ["mid", "book", "cheap", "tablet"]  # unrated last
    assert find(sort=ProductSort.NEWEST) == ["book", "tablet", "mid", "cheap"]
    assert find(category_ids=frozenset({1})) == ["mid", "cheap"]
    assert find(min_price=Decimal(50), max_price=Decimal(300),
                sort=ProductSort.PRICE_ASC) == ["cheap", "mid"]
    assert find(rating_min=Decimal("4.0"), sort=ProductSort.PRICE_ASC) == ["book", "mid"]
    assert find(in_stock=True, category_ids=frozenset({1})) == ["mid"]
    assert find(in_stock=False) == ["cheap"]
    assert find(seller_id=2) == ["tablet"]
    assert find(search="PHONE", sort=ProductSort.PRICE_ASC) == ["book", "cheap", "mid"]
    with backend.catalog(read_only=True) as session:
        page = session.products.find(ProductQuery(sort=ProductSort.PRICE_ASC), PageRequest(2, 3))
    assert page.total_count == 4 and [p.id for p in page.items] == [ps["tablet"].id]


# Listing summaries --------------------------------------------------------------------------

def _summary_ids(backend: Backend, query: ProductQuery, page: PageRequest,
                 after: After | None = None) -> list[int]:
    with backend.catalog(read_only=True) as session:
        return [s.product_id for s in session.products.summaries(query, page, after).items]


def test_summaries_show_what_a_listing_renders(backend: Backend) -> None:
    ps = _catalog(backend)
    mid = ps["mid"]
    mid.images = ["https://img/mid-1.jpg", "https://img/mid-2.jpg"]
    with backend.catalog() as session:
        session.products.update(mid)
        session.commit()
    with backend.catalog(read_only=True) as session:
        found = session.products.summaries(ProductQuery(sort=ProductSort.PRICE_ASC),
                                           PageRequest(1, 10))
    assert (found.total_count, found.total_exact, found.next) == (4, True, None)
    by_id = {s.product_id: s for s in found.items}
    shown = by_id[mid.id]
    assert (shown.name, shown.price, shown.rating, shown.review_count, shown.image_url,
            shown.seller_id, shown.category_id, shown.in_stock) == (
        "Mid phone", Money("300", "USD"), Decimal("4.5"), 0, "https://img/mid-1.jpg", 1, 1,
        True)
    assert shown.created_at == mid.created_at
    assert by_id[ps["cheap"].id].in_stock is False and by_id[ps["book"].id].image_url is None


def test_summaries_filter_and_sort_as_find_does(backend: Backend) -> None:
    _catalog(backend)
    queries = [ProductQuery(sort=s) for s in ProductSort] + [
        ProductQuery(category_ids=frozenset({1})),
        ProductQuery(min_price=Decimal(50), max_price=Decimal(300), sort=ProductSort.PRICE_ASC),
        ProductQuery(rating_min=Decimal("4.0"), sort=ProductSort.RATING),
        ProductQuery(in_stock=True, category_ids=frozenset({1})), ProductQuery(in_stock=False),
        ProductQuery(seller_id=2), ProductQuery(search="PHONE", sort=ProductSort.PRICE_DESC)]
    for query in queries:
        with backend.catalog(read_only=True) as session:
            expected = [p.id for p in session.products.find(query, PageRequest(1, 10)).items]
        assert _summary_ids(backend, query, PageRequest(1, 10)) == expected, query


def _ties(backend: Backend) -> None:
    """Nine products, three at each price, ratings tied and some unrated."""
    _categories(backend, "Phones")
    ratings = ["4.5", None, "4.5", "3.0", None, "4.5", "3.0", None, "3.0"]
    with backend.catalog() as session:
        for n, rating in enumerate(ratings):
            session.products.add(_product(backend, f"Tied {n}", ["10", "20", "30"][n % 3], 1,
                                          rating=rating))
        session.commit()


@pytest.mark.parametrize("sort", list(ProductSort))
def test_keyset_pages_walk_every_match_once_in_order(backend: Backend,
                                                     sort: ProductSort) -> None:
    _ties(backend)
    query = ProductQuery(sort=sort)
    with backend.catalog(read_only=True) as session:
        expected = [p.id for p in session.products.find(query, PageRequest(1, 20)).items]
    walked: list[int] = []
    after: After | None = None
    for _ in range(10):
        with backend.catalog(read_only=True) as session:
            found = session.products.summaries(query, PageRequest(1, 2), after)
        walked += [s.product_id for s in found.items]
        assert found.total_count == 9
        if found.next is None:
            break
        after = found.next
    assert walked == expected
    assert _summary_ids(backend, query, PageRequest(3, 2)) == expected[4:6]  # by offset


def _rated(backend: Backend) -> dict[int, tuple[Decimal | None, int, bool]]:
    """Twelve products in two categories, every third without stock: ratings tied (4.5 three
    times, 3 written as "3" and as "3.00"), near one another (4.49, 4.51) and unrated.
    Product id -> (rating, category, in stock)."""
    _categories(backend, "Phones", "Other")
    ratings = ["4.5", None, "3", "4.49", "4.5", None, "3.00", "4.51", "1", None, "4.5", "5"]
    products = [_product(backend, f"Rated {n}", "10", 1 + n % 2, rating=rating)
                for n, rating in enumerate(ratings)]
    with backend.catalog() as session:
        for product in products:
            session.products.add(product)
        session.commit()
    with backend.uow() as uow:
        for n, product in enumerate(products):
            uow.inventory.add(StockItem(product.variants[0].id, product.id, 1))
            if n % 3 != 2:
                uow.inventory.restock(product.variants[0].id, 3, "opening", backend.clock.now())
        uow.commit()
    return {p.id: (p.rating, p.category_id, n % 3 != 2) for n, p in enumerate(products)}


@pytest.mark.parametrize(("categories", "in_stock"), [
    (None, None), (frozenset({1}), None), (frozenset({1, 2}), True), (frozenset({2}), False),
    (None, True)])
def test_rating_pages_put_the_best_rated_first_and_the_unrated_last(
        backend: Backend, categories: frozenset[int] | None, in_stock: bool | None) -> None:
    """Walked by keyset two at a time, and read by offset, a rating listing (of a category,
    in stock or not) is best rated first, ties newest (highest id) first, unrated last."""
    made = _rated(backend)
    expected = sorted((pid for pid, (_, category, stocked) in made.items()
                       if (categories is None or category in categories)
                       and in_stock in (None, stocked)),
                      key=lambda pid: (made[pid][0] if made[pid][0] is not None else -1, pid),
                      reverse=True)
    query = ProductQuery(categories, sort=ProductSort.RATING, in_stock=in_stock)
    walked: list[int] = []
    after: After | None = None
    for _ in range(len(made)):
        with backend.catalog(read_only=True) as session:
            found = session.products.summaries(query, PageRequest(1, 2), after)
        walked += [s.product_id for s in found.items]
        if found.next is None:
            break
        after = found.next
    assert walked == expected
    assert _summary_ids(backend, query, PageRequest(2, 3)) == expected[3:6]  # by offset


def test_the_count_is_exact_up_to_its_bound_then_estimated(backend: Backend) -> None:
    _ties(backend)
    with backend.catalog(read_only=True) as session:
        exact = session.products.summaries(ProductQuery(), PageRequest(1, 2), count_up_to=9)
        over = session.products.summaries(ProductQuery(), PageRequest(1, 2), count_up_to=4)
    assert (exact.total_count, exact.total_exact) == (9, True)
    assert over.total_exact is False and over.total_count >= 5


def test_in_stock_follows_every_change_of_stock(backend: Backend) -> None:
    _categories(backend, "Phones")
    product = _product(backend, "Phone", "10", 1)
    variant = product.variants[0]
    now = backend.clock.now()
    with backend.uow() as uow:  # stock rows first, as the catalog service writes them
        uow.inventory.add(StockItem(variant.id, product.id, product.seller_id))
        uow.inventory.restock(variant.id, 2, "opening", now)
        uow.commit()
    with backend.catalog() as session:
        session.products.add(product)
        session.commit()

    def listed() -> tuple[bool, bool]:
        """(its summary says in stock, it is among the in_stock listing)"""
        with backend.catalog(read_only=True) as session:
            shown = session.products.summaries(ProductQuery(), PageRequest(1, 5)).items
            stocked = session.products.summaries(ProductQuery(in_stock=True),
                                                 PageRequest(1, 5)).items
        return shown[0].in_stock, [s.product_id for s in stocked] == [product.id]

    def stock(change: object) -> None:
        with backend.uow() as uow:
            change(uow)  # type: ignore[operator]
            uow.commit()

    assert listed() == (True, True)
    hold = Reservation(backend.ids.next_id(), (ReservationLine(variant.id, 2),),
                       now, now)
    stock(lambda uow: uow.inventory.reserve(hold, now))
    assert listed() == (False, False)
    stock(lambda uow: uow.inventory.release(hold, now))
    assert listed() == (True, True)
    stock(lambda uow: uow.inventory.adjust(variant.id, -2, "count", now))
    assert listed() == (False, False)
    stock(lambda uow: uow.inventory.restock(variant.id, 1, "delivery", now))
    assert listed() == (True, True)
    product.variants[0].is_active = False
    product.variants.append(Variant(backend.ids.next_id(), product.id, f"SKU-{product.id}-b",
                                    Money("12", "USD"), {"size": "L"}))
    with backend.catalog() as session:  # its only stocked variant withdrawn
        session.products.update(product)
        session.commit()
    assert listed() == (False, False)


def test_add_many_stores_every_product_or_none(backend: Backend) -> None:
    _categories(backend, "Phones")
    first = [_product(backend, f"Bulk {n}", "10", 1) for n in range(3)]
    first[1].images = ["https://img/b1.jpg", "https://img/b1-2.jpg"]
    first[1].attributes = {"brand": "Acme"}
    now = backend.clock.now()
    with backend.uow() as uow:  # stock rows first, as an import writes them
        uow.inventory.open_many([StockItem(p.variants[0].id, p.id, p.seller_id, available=n,
                                           updated_at=now) for n, p in enumerate(first)],
                                "opening stock", now)
        uow.commit()
    with backend.catalog() as session:
        session.products.add_many(first)
        session.commit()
    with backend.catalog(read_only=True) as session:
        assert session.products.get(first[1].id) == first[1]
        found = session.products.summaries(ProductQuery(), PageRequest(1, 10))
    assert [(s.product_id, s.in_stock) for s in found.items] == [
        (first[2].id, True), (first[1].id, True), (first[0].id, False)]
    clash = _product(backend, "Clash", "10", 1, sku=first[0].variants[0].sku)
    fine = _product(backend, "Fine", "10", 1)
    for refused in ([fine, clash], [fine, first[2]], [fine, fine]):
        with backend.catalog() as session, pytest.raises(Conflict):
            session.products.add_many(refused)
    with backend.catalog(read_only=True) as session:
        assert session.products.get_many([fine.id, clash.id]) == {}
        session.products.add_many([])  # nothing to do


def test_get_many_returns_what_exists(backend: Backend) -> None:
    products = _catalog(backend)
    with backend.catalog() as session:
        ids = [products["mid"].id, products["book"].id, 404]
        found = session.products.get_many(ids)
        assert set(found) == {products["mid"].id, products["book"].id}
        assert found[products["mid"].id] == products["mid"]
        assert session.products.get_many([]) == {}


def test_offers_give_price_and_whether_still_sold(backend: Backend) -> None:
    _categories(backend, "Phones")
    on, off, gone = (_product(backend, n, "10.50", 1) for n in ("On", "Off", "Gone"))
    off.variants.append(Variant(backend.ids.next_id(), off.id, f"SKU-{off.id}-b",
                                Money("12", "USD"), {"size": "L"}, is_active=False))
    gone.is_active = False
    with backend.catalog() as session:
        for p in (on, off, gone):
            session.products.add(p)
        session.commit()
    with backend.catalog(read_only=True) as session:
        ids = [on.variants[0].id, *(v.id for v in off.variants), gone.variants[0].id, 404]
        offers = session.products.offers(ids)
        assert session.products.offers([]) == {}
    assert set(offers) == set(ids) - {404}
    first = offers[on.variants[0].id]
    assert (first.product_id, first.price, first.on_sale) == (on.id, Money("10.50", "USD"),
                                                              True)
    assert [offers[v.id].on_sale for v in off.variants] == [True, False]  # the variant's flag
    assert offers[off.variants[1].id].price == Money("12", "USD")
    assert not offers[gone.variants[0].id].on_sale  # its product is withdrawn


def test_inactive_products_are_hidden_unless_asked_for(backend: Backend) -> None:
    ps = _catalog(backend)
    with backend.catalog() as session:
        book = session.products.get(ps["book"].id)
        book.is_active = False
        session.products.update(book)
        session.commit()
        assert session.products.find(ProductQuery(), PageRequest()).total_count == 3
        assert session.products.find(ProductQuery(include_inactive=True),
                                     PageRequest()).total_count == 4


def test_sku_must_stay_unique_on_update_and_copies_are_deep(backend: Backend) -> None:
    ps = _catalog(backend)
    with backend.catalog() as session:
        mid = session.products.get(ps["mid"].id)
        mid.variants[0].options["size"] = "XL"   # nested change, never saved
        mid.variants.append(Variant(backend.ids.next_id(), mid.id, ps["book"].variants[0].sku,
                                    Money("1", "USD")))
        with pytest.raises(Conflict):
            session.products.update(mid)
        stored = session.products.get(ps["mid"].id)
        assert stored.variants[0].options == {"size": "M"} and len(stored.variants) == 1
        with pytest.raises(Conflict):  # the refused update did not free mid's own SKU
            session.products.add(_product(backend, "Copy", "1", 1, sku=ps["mid"].variants[0].sku))
        assert set(session.products.get_variants([ps["mid"].variants[0].id, 404])) == \
            {ps["mid"].variants[0].id}
        with pytest.raises(NotFound):
            session.products.get(404)


# CategoryRepository --------------------------------------------------------------------------

def test_category_names_are_unique_ignoring_case(backend: Backend) -> None:
    now = backend.clock.now()
    with backend.catalog() as session:
        session.categories.add(Category(1, "Phones", created_at=now))
        session.categories.add(Category(2, "Tablets", created_at=now))
        with pytest.raises(Conflict):
            session.categories.add(Category(3, "PHONES", created_at=now))
        with pytest.raises(Conflict):
            session.categories.update(Category(2, "phones", created_at=now))
        session.categories.update(Category(2, "Slates", parent_id=1, created_at=now))
        with pytest.raises(Conflict):  # still a parent
            session.categories.delete(1)
        session.categories.update(Category(2, "Slates", created_at=now))
        session.categories.delete(1)
        assert [c.name for c in session.categories.all()] == ["Slates"]
        with pytest.raises(NotFound):
            session.categories.delete(1)


# CatalogSession ------------------------------------------------------------------------------

def test_leaving_without_commit_discards_every_change(backend: Backend) -> None:
    now = backend.clock.now()
    _categories(backend, "Kept")
    with backend.catalog() as session:
        session.categories.add(Category(2, "Dropped", created_at=now))
        kept = session.categories.get(1)
        kept.name = "Renamed"
        session.categories.update(kept)
    with backend.catalog() as session:
        assert session.categories.get(1).name == "Kept"
        with pytest.raises(NotFound):
            session.categories.get(2)


def test_leaving_without_commit_rolls_back_also_on_error(backend: Backend) -> None:
    now = backend.clock.now()
    with pytest.raises(RuntimeError), backend.catalog() as session:
        session.categories.add(Category(3, "Half", created_at=now))
        raise RuntimeError("boom")
    with backend.catalog() as session:
        session.categories.add(Category(4, "Uncommitted", created_at=now))
    with backend.catalog() as session:
        assert session.categories.all() == []


def test_a_product_is_visible_after_the_session_only_if_committed(backend: Backend) -> None:
    _categories(backend, "Lamps")
    kept, dropped = _product(backend, "Kept", "10", 1), _product(backend, "Dropped", "10", 1)
    with backend.catalog() as session:
        session.products.add(dropped)
        assert session.products.get(dropped.id) == dropped  # the session sees its own write
    with backend.catalog() as session:
        session.products.add(kept)
        session.commit()
    with backend.catalog() as session:
        with pytest.raises(NotFound):
            session.products.get(dropped.id)
        assert session.products.get_many([kept.id, dropped.id]) == {kept.id: kept}
        assert session.products.get_variants([dropped.variants[0].id]) == {}
        assert [p.id for p in session.products.find(ProductQuery(), PageRequest()).items] \
            == [kept.id]
        session.products.add(_product(backend, "Reuse", "1", 1, sku=dropped.variants[0].sku))


@pytest.mark.parametrize("replica", [False, True], ids=["primary", "replica"])
def test_a_read_only_session_sees_committed_data(backend: Backend, replica: bool) -> None:
    _categories(backend, "Lamps")
    lamp = _product(backend, "Lamp", "10", 1)
    with backend.catalog() as session:
        session.products.add(lamp)
        session.commit()
    with backend.catalog(read_only=True, replica=replica) as session:
        assert session.products.get(lamp.id) == lamp
        assert [c.name for c in session.categories.all()] == ["Lamps"]
        assert session.products.find(ProductQuery(), PageRequest()).total_count == 1


def test_returned_objects_are_copies(backend: Backend) -> None:
    _categories(backend, "Original")
    with backend.catalog() as session:
        session.categories.get(1).name = "Mutated without saving"
        session.commit()
    with backend.catalog() as session:
        assert session.categories.get(1).name == "Original"


def test_a_read_within_a_unit_of_work_leaves_that_unit_of_work_going(
        backend: Backend) -> None:
    with backend.catalog() as session:
        session.categories.add(Category(41, "Lamps", created_at=backend.clock.now()))
        session.commit()
    stock = StockItem(9041, 41, 1, 5)
    with backend.storage.uow_factory() as uow:
        # joined to the unit's transaction where the catalog shares its database, a session
        # of its own elsewhere: either way it neither commits nor ends the unit of work
        uow.inventory.add(stock)  # before the read: its end must not roll this back
        with backend.storage.catalog(read_only=True, within=uow) as seen:
            assert [c.name for c in seen.categories.all()] == ["Lamps"]
        uow.commit()
    with backend.storage.uow_factory(read_only=True) as uow:
        assert uow.inventory.get(9041).available == 5
    with backend.storage.uow_factory() as uow:
        uow.inventory.adjust(9041, -5, "count", backend.clock.now())
        with backend.storage.catalog(read_only=True, within=uow) as seen:
            seen.categories.all()
        uow.rollback()  # the read's end did not commit the unit's change behind its back
    with backend.storage.uow_factory(read_only=True) as uow:
        assert uow.inventory.get(9041).available == 5
