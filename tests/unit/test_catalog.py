from decimal import Decimal

import pytest

from commerce_core.catalog.service import VariantSpec
from commerce_core.errors import Conflict, Forbidden, NotFound, ValidationError
from commerce_core.facade import Commerce
from commerce_core.money import Money
from tests.conftest import ADMIN, OTHER_SELLER, SELLER, add_product


def test_product_without_options_gets_one_default_variant(shop: Commerce, category: int) -> None:
    p = add_product(shop, category, "Cable", ["9.99"], stock=3)
    assert len(p.variants) == 1 and p.pick_variant(None).id == p.variants[0].id
    detail = shop.catalog.product_detail(p.id)
    assert detail.product.min_price == Money("9.99", "USD") and detail.available == 3


def test_detail_lists_attribute_options_and_variant_pick(shop: Commerce, category: int) -> None:
    p = shop.catalog.create_product(
        SELLER, name="iPhone", category_id=category, attributes={"brand": "Apple"},
        variants=[VariantSpec("A-1", "999.99", {"color": "Black", "storage": "128GB"}, stock=1),
                  VariantSpec("A-2", "1099.99", {"color": "Silver", "storage": "256GB"})])
    d = shop.catalog.product_detail(p.id).product
    assert d.attributes == {"brand": "Apple"}
    assert d.option_values() == {"color": ["Black", "Silver"], "storage": ["128GB", "256GB"]}
    assert d.min_price == Money("999.99", "USD")
    assert p.pick_variant({"color": "Silver", "storage": "256GB"}).sku == "A-2"
    with pytest.raises(ValidationError) as err:
        p.pick_variant({"color": "Gold"})
    assert err.value.details["selected_attributes"]["options"]["color"] == ["Black", "Silver"]


def test_bad_products_are_refused_and_nothing_is_stored(shop: Commerce, category: int) -> None:
    with pytest.raises(ValidationError):
        shop.catalog.create_product(SELLER, name=" ", category_id=category,
                                    variants=[VariantSpec("X", "1")])
    with pytest.raises(ValidationError):
        shop.catalog.create_product(SELLER, name="Free", category_id=category,
                                    variants=[VariantSpec("X", "0")])
    with pytest.raises(NotFound):
        shop.catalog.create_product(SELLER, name="Lost", category_id=1,
                                    variants=[VariantSpec("X", "1")])
    with pytest.raises(ValidationError):
        shop.catalog.create_product(SELLER, name="Neg", category_id=category,
                                    variants=[VariantSpec("X", "1", stock=-1)])
    add_product(shop, category, "Real")
    assert shop.catalog.list_products().total_count == 1


def test_duplicate_sku_is_a_conflict(shop: Commerce, category: int) -> None:
    shop.catalog.create_product(SELLER, name="A", category_id=category,
                                variants=[VariantSpec("SKU-1", "1")])
    with pytest.raises(Conflict):
        shop.catalog.create_product(SELLER, name="B", category_id=category,
                                    variants=[VariantSpec("SKU-1", "2")])
    with pytest.raises(ValidationError):  # twice in one product: bad input, not a clash
        shop.catalog.create_product(SELLER, name="C", category_id=category, variants=[
            VariantSpec("SKU-2", "2", {"size": "S"}), VariantSpec("SKU-2", "2", {"size": "M"})])
    assert shop.catalog.list_products().total_count == 1


def test_listing_filters_and_sorts(shop: Commerce, clock: object) -> None:
    root = shop.catalog.create_category(ADMIN, "Electronics")
    phones = shop.catalog.create_category(ADMIN, "Smartphones", parent_id=root.id)
    books = shop.catalog.create_category(ADMIN, "Books")
    cheap = add_product(shop, phones.id, "Cheap phone", ["50.00"], stock=0)
    mid = add_product(shop, phones.id, "Mid phone", ["300.00", "350.00"], stock=5)
    pricey = add_product(shop, root.id, "Pricey tablet", ["900.00"], seller=OTHER_SELLER)
    book = add_product(shop, books.id, "A book about phones", ["20.00"])

    def ids(**kw: object) -> list[int]:
        return [s.product_id for s in shop.catalog.list_products(**kw).items]  # type: ignore[arg-type]

    assert set(ids(category_id=root.id)) == {cheap.id, mid.id, pricey.id}  # includes children
    assert ids(category_id=phones.id, sort="price_asc") == [cheap.id, mid.id]
    assert ids(sort="price_desc")[0] == pricey.id
    assert ids(min_price=Decimal(100), max_price=Decimal(400)) == [mid.id]
    assert cheap.id not in ids(in_stock=True)
    assert ids(in_stock=False) == [cheap.id]
    assert ids(seller_id=OTHER_SELLER.user_id) == [pricey.id]
    assert set(ids(search="phone")) == {cheap.id, mid.id, book.id}
    assert ids(sort="newest")[0] == book.id
    page = shop.catalog.list_products(page=2, limit=3)
    assert page.total_count == 4 and len(page.items) == 1
    shop.catalog.deactivate_product(SELLER, book.id)
    assert book.id not in ids()
    with pytest.raises(ValidationError):
        shop.catalog.list_products(sort="cheapest")
    with pytest.raises(ValidationError):
        shop.catalog.list_products(limit=1000)
    with pytest.raises(ValidationError):
        shop.catalog.list_products(min_price=Decimal(5), max_price=Decimal(1))


def test_rating_sort_and_filter(shop: Commerce, category: int) -> None:
    a = add_product(shop, category, "A")
    b = add_product(shop, category, "B")
    with shop.tx.catalog_change() as catalog:  # set directly: no reviews needed
        for pid, rating in ((a.id, "4.5"), (b.id, "3.9")):
            p = catalog.products.get(pid)
            p.rating = Decimal(rating)
            catalog.products.update(p)
    assert [s.product_id for s in shop.catalog.list_products(sort="rating").items] == [a.id, b.id]
    assert [s.product_id for s in
            shop.catalog.list_products(rating_min=Decimal("4")).items] == [a.id]


def test_category_tree_and_descendants(shop: Commerce) -> None:
    root = shop.catalog.create_category(ADMIN, "Home")
    kitchen = shop.catalog.create_category(ADMIN, "Kitchen", parent_id=root.id)
    knives = shop.catalog.create_category(ADMIN, "Knives", parent_id=kitchen.id)
    tree = shop.catalog.category_tree()
    assert tree[0]["name"] == "Home"
    assert tree[0]["children"][0]["children"][0]["category_id"] == knives.id
    assert shop.catalog.descendants(root.id) == {root.id, kitchen.id, knives.id}
    with pytest.raises(Conflict):
        shop.catalog.create_category(ADMIN, "home")


def test_update_product_and_prices(shop: Commerce, category: int) -> None:
    p = add_product(shop, category, "Lamp", ["10.00"])
    shop.catalog.update_product(SELLER, p.id, name="Desk lamp", tags=["light"])
    assert shop.catalog.get_product(p.id).name == "Desk lamp"
    shop.catalog.set_price(SELLER, p.variants[0].id, "12.50")
    assert shop.catalog.get_product(p.id).variants[0].price.amount == Decimal("12.50")
    with pytest.raises(ValidationError):
        shop.catalog.update_product(SELLER, p.id, seller_id=1)
    v = shop.catalog.add_variant(SELLER, p.id,
                                 VariantSpec("LAMP-XL", "15", {"size": "XL"}, stock=2))
    assert shop.inventory.stock(SELLER, v.id).available == 2
    with pytest.raises(ValidationError):
        shop.catalog.add_variant(SELLER, p.id, VariantSpec("LAMP-S", "9", {"size": "S"},
                                                   reorder_level=-1))
    assert len(shop.catalog.get_product(p.id).variants) == 2


def test_admin_renames_moves_and_deletes_only_empty_categories(shop: Commerce) -> None:
    root = shop.catalog.create_category(ADMIN, "Home")
    kitchen = shop.catalog.create_category(ADMIN, "Kitchen", parent_id=root.id)
    knives = shop.catalog.create_category(ADMIN, "Knives", parent_id=kitchen.id)
    assert shop.catalog.rename_category(ADMIN, knives.id, "Cutlery").name == "Cutlery"
    with pytest.raises(Conflict):
        shop.catalog.rename_category(ADMIN, knives.id, "kitchen")
    with pytest.raises(ValidationError):  # under its own descendant: a cycle
        shop.catalog.move_category(ADMIN, root.id, knives.id)
    shop.catalog.move_category(ADMIN, knives.id, None)
    assert {c["name"] for c in shop.catalog.category_tree()} == {"Home", "Cutlery"}
    with pytest.raises(Conflict):  # has a sub-category
        shop.catalog.delete_category(ADMIN, root.id)
    p = add_product(shop, kitchen.id)
    shop.catalog.deactivate_product(SELLER, p.id)
    with pytest.raises(Conflict) as err:  # even an inactive product keeps it in use
        shop.catalog.delete_category(ADMIN, kitchen.id)
    assert err.value.details == {"sub_categories": 0, "products": 1}
    shop.catalog.delete_category(ADMIN, knives.id)
    assert "Cutlery" not in {c.name for c in shop.catalog.categories()}


def test_product_changes_are_checked_for_shape_and_hidden_when_withdrawn(
        shop: Commerce, category: int) -> None:
    p = add_product(shop, category, "Lamp")
    for bad in ({"name": 5}, {"is_active": "no"}, {"tags": "lamp"}, {"attributes": {"a": 1}},
                {"category_id": True}):
        with pytest.raises(ValidationError):
            shop.catalog.update_product(SELLER, p.id, **bad)
    assert shop.catalog.get_product(p.id).name == "Lamp"
    shop.catalog.deactivate_product(SELLER, p.id)
    with pytest.raises(NotFound):
        shop.catalog.product_detail(p.id)
    assert not shop.catalog.product_detail(p.id, include_inactive=True).product.is_active


def test_seller_products_lists_only_their_own_withdrawn_included_with_stock(
        shop: Commerce, category: int) -> None:
    lamp = add_product(shop, category, "Lamp", ["10", "12"], stock=4, reorder_level=2)
    shade = add_product(shop, category, "Shade", stock=0)
    add_product(shop, category, "Rival", seller=OTHER_SELLER)
    shop.catalog.deactivate_product(SELLER, shade.id)
    page = shop.catalog.seller_products(SELLER, limit=1)
    assert page.total_count == 2 and len(page.items) == 1
    both = {d.product.id: d for d in shop.catalog.seller_products(SELLER).items}
    assert set(both) == {lamp.id, shade.id}
    assert not both[shade.id].product.is_active
    assert both[lamp.id].available == 8
    assert [d.product.name for d in shop.catalog.seller_products(OTHER_SELLER).items] \
        == ["Rival"]


def test_a_seller_reads_one_own_product_with_what_export_needs(shop: Commerce,
                                                             category: int) -> None:
    lamp = shop.catalog.create_product(SELLER, name="Lamp", category_id=category,
                                       attributes={"material": "brass"}, variants=[
        VariantSpec("L-S", "10", {"size": "S"}, stock=4, reorder_level=2),
        VariantSpec("L-M", "12", {"size": "M"})])
    shop.catalog.deactivate_product(SELLER, lamp.id)
    mine = shop.catalog.seller_product(SELLER, lamp.id)
    assert mine.product.is_active is False
    assert mine.product.attributes == {"material": "brass"}
    assert mine.product.option_values() == {"size": ["S", "M"]}
    assert [(v.sku, mine.stock[v.id].available, mine.stock[v.id].reorder_level)
            for v in mine.product.active_variants] == [("L-S", 4, 2), ("L-M", 0, 0)]
    with pytest.raises(Forbidden):
        shop.catalog.seller_product(OTHER_SELLER, lamp.id)
    with pytest.raises(ValidationError):  # a spec's own fields are checked as it is made
        VariantSpec("L-L", "12", stock=-1)


def test_listing_pages_by_cursor_and_refuses_a_bad_one(shop: Commerce, category: int) -> None:
    made = [add_product(shop, category, f"Cable {n}", [str(10 + n % 2)], stock=n % 3)
            for n in range(7)]
    for sort in ("newest", "price_asc", "price_desc", "rating"):
        by_page = [s.product_id for p in (1, 2, 3, 4)
                   for s in shop.catalog.list_products(sort=sort, page=p, limit=2).items]
        walked, cursor, numbers = [], None, []
        while True:
            page = shop.catalog.list_products(sort=sort, limit=2, cursor=cursor)
            walked += [s.product_id for s in page.items]
            numbers.append(page.page)
            assert (page.total_count, page.total_exact) == (7, True)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert walked == by_page and sorted(walked) == sorted(p.id for p in made)
        assert numbers == [1, 2, 3, 4]
    first = shop.catalog.list_products(limit=2)
    assert first.next_cursor is not None
    for bad in ("nonsense", first.next_cursor[:-2] + "xx", "a.b.c", "é." * 3):
        with pytest.raises(ValidationError) as refused:
            shop.catalog.list_products(limit=2, cursor=bad)
        assert "cursor" in refused.value.details
    with pytest.raises(ValidationError) as other:  # a cursor of another listing
        shop.catalog.list_products(limit=2, sort="price_asc", cursor=first.next_cursor)
    assert "cursor" in other.value.details
    stocked = shop.catalog.list_products(in_stock=True)
    assert {s.product_id for s in stocked.items} == {p.id for n, p in enumerate(made)
                                                     if n % 3}
    assert all(s.in_stock for s in stocked.items)


def test_bulk_import_writes_batches_and_refuses_bad_rows_alone(shop: Commerce,
                                                              category: int) -> None:
    from commerce_core.catalog.imports import NewProduct  # noqa: PLC0415

    taken = add_product(shop, category, "Taken", stock=1).variants[0].sku

    def row(n: int, sku: str | None = None, **kw: object) -> dict[str, object]:
        return {"name": f"Lamp {n}", "category_id": category, "images": [f"https://i/{n}"],
                "variants": [VariantSpec(sku or f"LAMP-{n}", "12.50", stock=n % 2)], **kw}

    rows: list[object] = [row(n) for n in range(7)]
    rows[2] = row(2, price_typo=1)                    # a field create_product has not
    rows[3] = row(3, category_id=category + 999)      # an unknown category
    rows[4] = row(4, sku="LAMP-0")                    # a SKU the file repeats
    rows[6] = row(6, sku=taken)                       # a SKU the store holds: its batch
    rows.append(NewProduct("Lamp 7", category, [VariantSpec("LAMP-7", "3")]))
    calls: list[tuple[int, int]] = []
    result = shop.catalog.import_products(SELLER, rows, batch_size=3,  # type: ignore[arg-type]
                                          progress=lambda done, made: calls.append((done, made)))
    assert [i for i, _ in result.created] == [0, 1, 5, 7]
    assert [(r.row, r.error.code) for r in result.refused] == [
        (2, "validation_error"), (3, "not_found"), (4, "conflict"), (6, "conflict")]
    assert calls == [(3, 2), (6, 3), (8, 4)]
    listed = shop.catalog.list_products(category_id=category, limit=50)
    assert {s.name for s in listed.items} == {"Taken", "Lamp 0", "Lamp 1", "Lamp 5", "Lamp 7"}
    lamp1 = next(s for s in listed.items if s.name == "Lamp 1")
    assert lamp1.in_stock and lamp1.image_url == "https://i/1"
    detail = shop.catalog.product_detail(lamp1.product_id)
    assert detail.available == 1
    with pytest.raises(ValidationError):
        shop.catalog.import_products(SELLER, [], batch_size=0)
    other = shop.catalog.import_products(OTHER_SELLER, [row(9, seller_id=SELLER.user_id)])
    assert not other.created and isinstance(other.refused[0].error, Forbidden)
