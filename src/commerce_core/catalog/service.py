"""Catalog use cases: categories, products with variants, listing and product detail.

Products and categories live in the catalog store; stock rows in the transactional store.
A new variant's stock row is written first and its catalog entry second, so a buyer never
meets a variant without stock: a crash between them leaves a stock row nobody can reach,
which :meth:`CatalogService.repair` removes (docs/parts.md)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.catalog import cursor as cursors
from commerce_core.catalog import imports
from commerce_core.catalog.imports import ImportResult, NewProduct
from commerce_core.catalog.model import Category, Product, ProductSort, Variant
from commerce_core.catalog.ports import CatalogSession, ProductQuery
from commerce_core.catalog.views import COUNT_BOUND, ProductSummary
from commerce_core.clock import Clock
from commerce_core.errors import Conflict, NotFound, ValidationError
from commerce_core.events import (
    CategoriesChanged,
    CategoryMoved,
    DomainEvent,
    ProductCreated,
    ProductUpdated,
)
from commerce_core.ids import IdGenerator
from commerce_core.inventory.model import StockItem
from commerce_core.money import Money
from commerce_core.pagination import Page, PageRequest
from commerce_core.sellers.model import SellerProfile
from commerce_core.uow import OutboxEntry, Transactions, UnitOfWork
from commerce_core.validation import MAX_ID, whole_number


@attrs.frozen
class VariantSpec:
    """What a seller gives for a new variant; ``stock`` is the opening quantity."""

    sku: str
    price: Decimal | str | int
    options: Mapping[str, str] = attrs.field(factory=dict)
    weight_grams: int = 0
    stock: int = 0
    reorder_level: int = 0

    def __attrs_post_init__(self) -> None:
        # the spec's own fields; the variant it becomes checks its SKU, price and weight
        whole_number("stock", self.stock)
        whole_number("reorder_level", self.reorder_level)


@attrs.frozen
class ProductPage:
    """What a product's public page shows: its detail and its seller's profile (None while
    the seller has opened no store)."""

    detail: ProductDetail
    seller: SellerProfile | None


@attrs.frozen
class ProductDetail:
    product: Product
    stock: Mapping[int, StockItem]

    @property
    def available(self) -> int:
        return sum(self.stock[v.id].available for v in self.product.active_variants
                   if v.id in self.stock)


class CatalogService:
    def __init__(self, tx: Transactions, ids: IdGenerator, clock: Clock) -> None:
        self._tx = tx
        self._ids = ids
        self._clock = clock
        # the search service's listing, when the shop has one (Commerce wires it)
        self.text_search: Callable[..., Page[ProductSummary]] | None = None
        # keys the digest of listing cursors; the shop's secret when it wires one
        self.cursor_key = b"commerce-listing-cursor"

    # Categories -----------------------------------------------------------------------------
    def create_category(self, actor: Actor, name: str, parent_id: int | None = None,
                        description: str = "") -> Category:
        authorize(actor, Action.MANAGE_CATEGORIES)
        with self._tx.catalog_change() as catalog:
            if parent_id is not None:
                catalog.categories.get(parent_id)
            category = Category(self._ids.next_id(), name, parent_id, description,
                                self._clock.now())
            catalog.categories.add(category)
        self._categories_changed(category.id)
        return category

    def rename_category(self, actor: Actor, category_id: int, name: str,
                        description: str | None = None) -> Category:
        authorize(actor, Action.MANAGE_CATEGORIES)
        with self._tx.catalog_change() as catalog:
            category = catalog.categories.get(category_id)
            category = attrs.evolve(category, name=name, description=(
                category.description if description is None else description))
            catalog.categories.update(category)
        self._categories_changed(category_id)
        return category

    def move_category(self, actor: Actor, category_id: int,
                      parent_id: int | None) -> Category:
        """Put a category under another (or at the root); never under its own subtree."""
        authorize(actor, Action.MANAGE_CATEGORIES)
        moved = CategoryMoved(occurred_at=self._clock.now(), category_id=category_id)
        with self._tx.catalog_change(moved) as catalog:
            category = catalog.categories.get(category_id)
            if parent_id is not None:
                catalog.categories.get(parent_id)
                if parent_id in _subtree(catalog.categories.all(), category_id):
                    raise ValidationError("a category cannot move under itself or its "
                                          "descendants", {"parent_id": "cycle"})
            category.parent_id = parent_id
            catalog.categories.update(category)
        self._categories_changed(category_id)
        return category

    def delete_category(self, actor: Actor, category_id: int) -> None:
        """Remove an empty category: no sub-categories and no products, active or not."""
        authorize(actor, Action.MANAGE_CATEGORIES)
        with self._tx.catalog_change() as catalog:
            catalog.categories.get(category_id)
            children = [c.name for c in catalog.categories.all() if c.parent_id == category_id]
            products = catalog.products.find(
                ProductQuery(frozenset({category_id}), include_inactive=True),
                PageRequest(1, 1)).total_count
            if children or products:
                raise Conflict("only an empty category can be deleted",
                               {"sub_categories": len(children), "products": products})
            catalog.categories.delete(category_id)
        self._categories_changed(category_id)

    def _categories_changed(self, category_id: int) -> None:
        self._tx.announce(CategoriesChanged(occurred_at=self._clock.now(),
                                            category_id=category_id))

    def categories(self) -> list[Category]:
        with self._tx.catalog_read(replica=True) as catalog:
            return list(catalog.categories.all())

    def category_tree(self) -> list[dict[str, Any]]:
        """Nested ``{category_id, name, children}`` from the roots down, sorted by name."""
        cats = self.categories()
        children: dict[int | None, list[Category]] = {}
        for c in cats:
            children.setdefault(c.parent_id, []).append(c)

        def build(parent: int | None) -> list[dict[str, Any]]:
            return [{"category_id": c.id, "name": c.name, "children": build(c.id)}
                    for c in sorted(children.get(parent, []), key=lambda c: c.name)]
        return build(None)

    def descendants(self, category_id: int) -> frozenset[int]:
        """``category_id`` and every category below it (empty if it does not exist)."""
        return _subtree(self.categories(), category_id)

    # Products -------------------------------------------------------------------------------
    def create_product(self, actor: Actor, *, name: str, category_id: int,
                       variants: Sequence[VariantSpec], currency: str = "USD",
                       description: str = "", attributes: Mapping[str, str] | None = None,
                       images: Sequence[str] = (), tags: Sequence[str] = (),
                       seller_id: int | None = None) -> Product:
        """A new product of the acting seller (admins name ``seller_id``), its variants and
        their opening stock: the stock rows first, then the catalog entry (module doc)."""
        seller_id = actor.user_id if seller_id is None else seller_id
        authorize(actor, Action.MANAGE_PRODUCTS, seller_id)
        product = self._new_product(seller_id, NewProduct(
            name, category_id, variants, currency, description, dict(attributes or {}),
            images, tags))
        with self._tx.catalog_read() as catalog:
            catalog.categories.get(category_id)
        return self._store_new(product, variants)

    def import_products(self, actor: Actor, rows: Iterable[NewProduct | Mapping[str, Any]],
                        *, batch_size: int = 500,
                        progress: Callable[[int, int], None] | None = None) -> ImportResult:
        """Create many products fast: ``batch_size`` at a time, each batch in one unit of
        work (stock rows, notices) and one catalog session (multi-row inserts), in the
        order ``create_product`` keeps. ``rows`` are NewProducts or mappings of their
        fields (``create_product``'s keywords). A bad row is refused with its reason and
        the others go in; ``progress(rows_handled, products_created)`` runs after each
        batch. Details in ``commerce_core.catalog.imports``."""
        return imports.import_products(self, actor, rows, batch_size, progress)

    def _new_product(self, seller_id: int, row: NewProduct) -> Product:
        """The product ``row`` describes, with fresh ids, checked but not stored."""
        now = self._clock.now()
        product_id = self._ids.next_id()
        built = [self._variant(product_id, spec, row.currency) for spec in row.variants]
        return Product(product_id, seller_id, row.name, row.category_id, row.currency, built,
                       description=row.description, attributes=dict(row.attributes),
                       images=list(row.images), tags=list(row.tags), created_at=now,
                       updated_at=now)

    def _store_new(self, product: Product, specs: Sequence[VariantSpec]) -> Product:
        """Write a built product (authorized and checked by the caller): stock rows first."""
        now = self._clock.now()

        def open_stock(uow: UnitOfWork) -> None:
            for spec, variant in zip(specs, product.variants, strict=True):
                _open_stock(uow, variant, spec, product.seller_id, now)

        notice = ProductCreated(occurred_at=now, product_id=product.id,
                                seller_id=product.seller_id)
        with self._undone_on_failure(product.id, product.variants), \
                self._tx.catalog_change(notice, prepare=open_stock) as catalog:
            catalog.products.add(product)
        return product

    def _drop_unlisted_variants(self, variants: Mapping[int, Sequence[int]]) -> None:
        """Take back the stock rows of these products' variants (product id -> variant
        ids) that did not reach the catalog, in one unit of work."""
        with self._tx.catalog_read() as catalog:
            found = catalog.products.get_many(variants)
        listed = {v.id for p in found.values() for v in p.variants}
        with self._tx() as uow:
            uow.inventory.remove([v for ids in variants.values() for v in ids
                                  if v not in listed])

    def _variant(self, product_id: int, spec: VariantSpec, currency: str) -> Variant:
        return Variant(self._ids.next_id(), product_id, spec.sku,
                       Money.exact(spec.price, currency, "price"),
                       dict(spec.options), spec.weight_grams)

    def add_variant(self, actor: Actor, product_id: int, spec: VariantSpec) -> Variant:
        now = self._clock.now()
        with self._tx.catalog_read() as catalog:
            product = _own(catalog, actor, product_id)
        variant = self._variant(product_id, spec, product.currency)
        with self._undone_on_failure(product_id, [variant]), self._tx.catalog_change(
                self._updated(product), prepare=lambda uow: _open_stock(
                    uow, variant, spec, product.seller_id, now)) as catalog:
            product = catalog.products.get(product_id)
            product.variants.append(variant)
            product = attrs.evolve(product, updated_at=now)  # re-runs the product's checks
            catalog.products.update(product)
        return variant

    # what a seller may change, and the shape each value must have
    _EDITABLE: dict[str, Any] = {
        "name": lambda v: isinstance(v, str), "description": lambda v: isinstance(v, str),
        "category_id": lambda v: isinstance(v, int) and not isinstance(v, bool)
        and 1 <= v <= MAX_ID,
        "attributes": lambda v: isinstance(v, dict) and all(
            isinstance(k, str) and isinstance(x, str) for k, x in v.items()),
        "images": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
        "tags": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
        "is_active": lambda v: isinstance(v, bool)}

    def update_product(self, actor: Actor, product_id: int, /, **changes: Any) -> Product:
        """Change the listed fields (name, description, category_id, attributes, images, tags,
        is_active); anything else is a validation error and nothing is saved."""
        unknown = set(changes) - set(self._EDITABLE)
        if unknown:
            raise ValidationError(f"cannot change {', '.join(sorted(unknown))}",
                                  {f: "not editable" for f in sorted(unknown)})
        wrong = sorted(f for f, v in changes.items() if not self._EDITABLE[f](v))
        if wrong:
            raise ValidationError(f"wrong type for {', '.join(wrong)}",
                                  {f: "wrong type" for f in wrong})
        now = self._clock.now()
        with self._tx.catalog_read() as catalog:
            product = _own(catalog, actor, product_id)
            if "category_id" in changes:
                catalog.categories.get(changes["category_id"])
        with self._tx.catalog_change(self._updated(product)) as catalog:
            product = attrs.evolve(catalog.products.get(product_id), **changes, updated_at=now)
            catalog.products.update(product)
        return product

    def set_price(self, actor: Actor, variant_id: int, price: Decimal | str | int) -> Variant:
        now = self._clock.now()
        with self._tx.catalog_read() as catalog:
            variant = catalog.products.get_variants([variant_id]).get(variant_id)
            if variant is None:
                raise ValidationError(f"unknown variant {variant_id}", {"variant_id": "unknown"})
            product = _own(catalog, actor, variant.product_id)
        new = attrs.evolve(variant, price=Money.exact(price, product.currency, "price"))
        with self._tx.catalog_change(self._updated(product)) as catalog:
            product = catalog.products.get(product.id)
            product.variants = [new if v.id == variant_id else v for v in product.variants]
            catalog.products.update(attrs.evolve(product, updated_at=now))
        return new

    def deactivate_product(self, actor: Actor, product_id: int) -> Product:
        return self.update_product(actor, product_id, is_active=False)

    # Reading --------------------------------------------------------------------------------
    def get_product(self, product_id: int) -> Product:
        with self._tx.catalog_read(replica=True) as catalog:
            return catalog.products.get(product_id)

    def product_detail(self, product_id: int, include_inactive: bool = False) -> ProductDetail:
        """A product with its stock; a withdrawn one looks absent unless asked for (its
        seller's views ask)."""
        with self._tx.read(replica=True, snapshot=False) as uow:
            return self._detail(uow, product_id, include_inactive)

    def product_page(self, product_id: int) -> ProductPage:
        """An active product's detail and its seller's profile, with no transaction around
        the reads: each is whole on its own (the product with its variants, images and
        attributes; the stock of those variants; the profile), and stock is live, read apart
        from the product's facts anyway (the HTTP cache keeps them apart). With the catalog
        in the database the three are one statement (one snapshot, one round trip)."""
        with self._tx.read(replica=True, snapshot=False) as uow:
            detail = self._detail(uow, product_id, include_inactive=False)
            return ProductPage(detail, uow.sellers.find(detail.product.seller_id))

    def _detail(self, uow: UnitOfWork, product_id: int, include_inactive: bool
                ) -> ProductDetail:
        with self._tx.catalog_read(replica=True, within=uow) as catalog:
            product = catalog.products.get(product_id)
        if not (product.is_active or include_inactive):
            raise NotFound(f"product {product_id} not found", {"product_id": product_id})
        return ProductDetail(product, _stock_in(uow, _variant_ids([product])))

    def list_products(self, *, category_id: int | None = None, search: str | None = None,
                      min_price: Decimal | None = None, max_price: Decimal | None = None,
                      rating_min: Decimal | None = None, in_stock: bool | None = None,
                      seller_id: int | None = None, sort: str | ProductSort = ProductSort.NEWEST,
                      page: int = 1, limit: int = 20, include_inactive: bool = False,
                      cursor: str | None = None) -> Page[ProductSummary]:
        """The seed's product listing: filters, sorts, page/limit and total_count. A
        ``search`` text is answered by the search index when one is wired (``text_search``:
        relevance, typos, plurals), else by the catalog store's word match.

        Each page is one summary read in the catalog store. ``total_count`` is exact up to
        ``COUNT_BOUND`` matches and an estimate past it (``total_exact`` False). A page
        gives ``next_cursor`` when another follows: passing it as ``cursor`` (with the same
        filters and sort) opens that page by keyset, as fast at page 2000 as at page 2;
        ``page`` is then ignored. A cursor not given by this listing is a ValidationError
        naming ``cursor``."""
        request = PageRequest(page, limit)
        if search and search.strip() and self.text_search and not include_inactive:
            if cursor is not None:
                raise ValidationError("a text search pages by page number",
                                      {"cursor": "not with search"})
            return self.text_search(search, category_id=category_id, min_price=min_price,
                                    max_price=max_price, rating_min=rating_min,
                                    in_stock=in_stock, seller_id=seller_id,
                                    sort=str(_listing_sort(sort)), page=page, limit=limit)
        order = _listing_sort(sort)
        if min_price is not None and max_price is not None and min_price > max_price:
            raise ValidationError("min_price is above max_price", {"min_price": "> max_price"})
        with self._tx.catalog_read(replica=True) as catalog:
            categories = None
            if category_id is not None:
                categories = (_subtree(catalog.categories.all(), category_id)
                              or frozenset({category_id}))
            query = ProductQuery(categories, search, min_price, max_price, rating_min,
                                 in_stock, seller_id, include_inactive, order)
            position = None if cursor is None else cursors.decode(cursor, query,
                                                                  self.cursor_key)
            number = request.page if position is None else position.page
            found = catalog.products.summaries(
                query, request if position is None else PageRequest(1, limit),
                None if position is None else position.after, COUNT_BOUND)
        # an estimate never says fewer than the pages already walked
        seen = (number - 1) * limit + len(found.items) + (1 if found.next else 0)
        total = found.total_count if found.total_exact else max(found.total_count, seen)
        following = None if found.next is None else cursors.encode(
            cursors.Position(number + 1, found.next), query, self.cursor_key)
        return Page(found.items, total, number, limit, found.total_exact, following)

    def summaries(self, product_ids: Sequence[int]) -> list[ProductSummary]:
        """Listing entries of these products in this order, leaving out any not on sale."""
        with self._tx.catalog_read(replica=True) as catalog:
            found = catalog.products.get_many(product_ids)
        products = [found[i] for i in product_ids if i in found and found[i].is_active]
        stock = self._stock(products, replica=True, active_only=True)
        return [_summary(p, stock) for p in products]

    def seller_products(self, actor: Actor, *, seller_id: int | None = None, page: int = 1,
                        limit: int = 20) -> Page[ProductDetail]:
        """A seller's own products, withdrawn ones included, newest first, each with its
        variants and stock (what the seller's tools list and export)."""
        seller_id = actor.user_id if seller_id is None else seller_id
        authorize(actor, Action.MANAGE_PRODUCTS, seller_id)
        query = ProductQuery(seller_id=seller_id, include_inactive=True)
        with self._tx.catalog_read() as catalog:
            found = catalog.products.find(query, PageRequest(page, limit))
        stock = self._stock(found.items)
        return found.map(lambda p: ProductDetail(p, stock))

    def seller_product(self, actor: Actor, product_id: int) -> ProductDetail:
        """One of the seller's own products, withdrawn or not, with its stock."""
        with self._tx.catalog_read() as catalog:
            product = _own(catalog, actor, product_id)
        return ProductDetail(product, self._stock([product]))

    # Upkeep ---------------------------------------------------------------------------------
    def repair(self, stale: Sequence[OutboxEntry], before: datetime) -> int:
        """Remove the stock rows that a crashed product write left behind: rows untouched
        since ``before``, of the products these stale (long unpublished) notices name, whose
        variant is not in the catalog. How many rows went. Run before the relay publishes
        the notices."""
        product_ids = {e.event.product_id for e in stale
                       if isinstance(e.event, ProductCreated | ProductUpdated)}
        def untouched(item: StockItem) -> bool:
            return item.updated_at is None or item.updated_at < before
        return sum(self._drop_unlisted_stock(p, untouched) for p in sorted(product_ids))

    def _drop_unlisted_stock(self, product_id: int, which: Callable[[StockItem], bool]) -> int:
        with self._tx.catalog_read() as catalog:
            product = catalog.products.get_many([product_id]).get(product_id)
        listed = {v.id for v in product.variants} if product else set()
        with self._tx() as uow:
            orphans = [s.variant_id for s in uow.inventory.for_product(product_id)
                       if s.variant_id not in listed and which(s)]
            uow.inventory.remove(orphans)
        return len(orphans)

    @contextlib.contextmanager
    def _undone_on_failure(self, product_id: int, variants: Sequence[Variant]
                           ) -> Iterator[None]:
        """A refused catalog write takes back the stock rows written for its variants."""
        try:
            yield
        except Exception:
            ours = {v.id for v in variants}
            self._drop_unlisted_stock(product_id, lambda s: s.variant_id in ours)
            raise

    def _updated(self, product: Product) -> DomainEvent:
        return ProductUpdated(occurred_at=self._clock.now(), product_id=product.id,
                              seller_id=product.seller_id)

    def _stock(self, products: Sequence[Product], replica: bool = False,
               active_only: bool = False) -> dict[int, StockItem]:
        ids = _variant_ids(products, active_only)
        if not ids:
            return {}
        with self._tx.read(replica=replica) as uow:
            return _stock_in(uow, ids)


def _variant_ids(products: Sequence[Product], active_only: bool = False) -> list[int]:
    return [v.id for p in products for v in (p.active_variants if active_only else p.variants)]


def _stock_in(uow: UnitOfWork, variant_ids: Sequence[int]) -> dict[int, StockItem]:
    return dict(uow.inventory.get_many(variant_ids)) if variant_ids else {}


def _listing_sort(sort: str | ProductSort) -> ProductSort:
    try:
        return ProductSort(sort)
    except ValueError:
        raise ValidationError(f"unknown sort {sort!r}",
                              {"sort": f"one of {', '.join(s.value for s in ProductSort)}"}
                              ) from None


def _own(catalog: CatalogSession, actor: Actor, product_id: int) -> Product:
    """The product, if the actor is its seller or an admin."""
    product = catalog.products.get(product_id)
    authorize(actor, Action.MANAGE_PRODUCTS, product.seller_id, f"product {product_id}")
    return product


def _subtree(cats: Sequence[Category], root: int) -> frozenset[int]:
    if root not in {c.id for c in cats}:
        return frozenset()
    found = {root}
    while below := {c.id for c in cats if c.parent_id in found} - found:
        found |= below
    return frozenset(found)


def _summary(p: Product, stock: Mapping[int, StockItem]) -> ProductSummary:
    in_stock = any(stock[v.id].available > 0 for v in p.active_variants if v.id in stock)
    return ProductSummary(p.id, p.name, p.min_price, p.rating, p.review_count,
                          p.images[0] if p.images else None, p.seller_id, p.category_id,
                          in_stock, p.created_at)


def _open_stock(uow: UnitOfWork, variant: Variant, spec: VariantSpec, seller_id: int,
                now: datetime) -> None:
    """The stock row of a new variant, with its opening quantity as an IN movement."""
    uow.inventory.add(StockItem(variant.id, variant.product_id, seller_id,
                                reorder_level=spec.reorder_level, updated_at=now))
    if spec.stock:
        uow.inventory.restock(variant.id, spec.stock, "opening stock", now)
