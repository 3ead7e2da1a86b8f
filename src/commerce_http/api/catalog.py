"""Browsing the catalog: the product listing with the seed's filters, product detail, the
category tree. ``ProductOut`` is also what the seller's product writes answer with."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

from commerce_core.catalog.model import Category
from commerce_core.catalog.service import ProductDetail, ProductPage
from commerce_core.catalog.views import ProductSummary
from commerce_core.errors import ValidationError
from commerce_core.facade import Commerce
from commerce_core.pagination import Page as ResultPage
from commerce_core.sellers.model import SellerProfile
from commerce_http import cached
from commerce_http.contract.operation import Call, Operation, Reply
from commerce_http.contract.wire import (
    Amount,
    AmountIn,
    Id,
    Limit,
    Model,
    Page,
    Query,
    Text200,
    Text500,
    money,
)

API = "/api/v1"
Stars = Annotated[float, msgspec.Meta(ge=0, le=5)]
ListingSort = Literal["price_asc", "price_desc", "rating", "newest"]


# Responses ----------------------------------------------------------------------------------
class SellerOut(Model):
    """A product's seller: ``name`` is the store's (null while the seller has opened none),
    ``rating`` the average over reviews of all the seller's products (null without any)."""

    seller_id: Id
    name: str | None
    rating: float | None


class ProductSummaryOut(Model):
    """One entry of the product listing (and of search results)."""

    product_id: Id
    name: str
    price: Amount
    currency: str
    rating: float | None
    review_count: int
    image_url: str | None
    seller_id: Id
    seller: SellerOut
    category_id: Id
    in_stock: bool


class PaginationOut(Model):
    page: int
    limit: int
    total_count: int
    total_pages: int


class ProductListOut(Model):
    """The seed's listing: ``total_count``, ``page`` and ``limit`` beside the products;
    ``pagination`` holds the same figures, as earlier versions of the API sent them.
    ``total_count`` is exact up to 1,000 matches, then an estimate (``total_exact`` false):
    no page counts every match. ``next_cursor`` opens the next page by keyset, however deep
    (null on the last page)."""

    products: list[ProductSummaryOut]
    total_count: int
    page: int
    limit: int
    total_pages: int
    pagination: PaginationOut
    total_exact: bool = True
    next_cursor: str | None = None


class AvailabilityOut(Model):
    in_stock: bool
    quantity: int


class VariantOut(Model):
    variant_id: Id
    sku: str
    price: Amount
    options: dict[str, str]
    weight_grams: int
    available: int


class ProductFacts(Model):
    """A product's catalog fields: the part of its detail cached for a day."""

    product_id: Id
    name: str
    description: str
    price: Amount
    currency: str
    images: list[str]
    attributes: dict[str, list[str]]  # its own attributes and its variants' options
    tags: list[str]
    category_id: Id
    rating: float | None
    reviews_count: int
    is_active: bool


class ProductLive(Model):
    """The part of a product's detail that changes without the product changing: its stock,
    and its seller's name and rating (any review of any of the seller's products moves it).
    Cached for five minutes."""

    seller: SellerOut
    availability: AvailabilityOut
    variants: list[VariantOut]


class ProductOut(ProductFacts):
    """The seed's product detail, with the variants: :class:`ProductFacts` then
    :class:`ProductLive`, field for field (the cached body is the two spliced)."""

    seller: SellerOut
    availability: AvailabilityOut
    variants: list[VariantOut]


class CategoryNode(Model):
    category_id: Id
    name: str
    children: list[CategoryNode]


class CategoriesOut(Model):
    categories: list[CategoryNode]


# Rendering ----------------------------------------------------------------------------------
def _stars(rating: Decimal | None) -> float | None:
    return None if rating is None else float(rating)


def seller_out(seller_id: int, profile: SellerProfile | None) -> SellerOut:
    if profile is None:
        return SellerOut(seller_id=Id(seller_id), name=None, rating=None)
    return SellerOut(seller_id=Id(seller_id), name=profile.store_name,
                     rating=_stars(profile.rating))


def sellers_of(shop: Commerce, seller_ids: Iterable[int]) -> dict[int, SellerOut]:
    """Each seller's public face, read in one go."""
    ids = list(dict.fromkeys(seller_ids))
    profiles = shop.sellers.profiles(ids)
    return {i: seller_out(i, profiles.get(i)) for i in ids}


def summary_out(s: ProductSummary, seller: SellerOut) -> ProductSummaryOut:
    return ProductSummaryOut(
        product_id=Id(s.product_id), name=s.name, price=money(s.price),
        currency=s.price.currency, rating=_stars(s.rating), review_count=s.review_count,
        image_url=s.image_url, seller_id=Id(s.seller_id), seller=seller,
        category_id=Id(s.category_id), in_stock=s.in_stock)


def summaries_out(shop: Commerce, items: Sequence[ProductSummary]) -> list[ProductSummaryOut]:
    sellers = sellers_of(shop, (s.seller_id for s in items))
    return [summary_out(s, sellers[s.seller_id]) for s in items]


def listing_out(shop: Commerce, page: ResultPage[ProductSummary]) -> ProductListOut:
    pages = -(-page.total_count // page.limit)
    return ProductListOut(
        products=summaries_out(shop, page.items), total_count=page.total_count,
        page=page.page, limit=page.limit, total_pages=pages,
        pagination=PaginationOut(page=page.page, limit=page.limit,
                                 total_count=page.total_count, total_pages=pages),
        total_exact=page.total_exact, next_cursor=page.next_cursor)


def facts_out(detail: ProductDetail) -> ProductFacts:
    p = detail.product
    attributes: dict[str, list[str]] = {k: [v] for k, v in p.attributes.items()}
    attributes.update(p.option_values())
    return ProductFacts(
        product_id=Id(p.id), name=p.name, description=p.description,
        price=money(p.min_price), currency=p.currency, images=list(p.images),
        attributes=attributes, tags=list(p.tags), category_id=Id(p.category_id),
        rating=_stars(p.rating), reviews_count=p.review_count, is_active=p.is_active)


def variant_outs(detail: ProductDetail) -> list[VariantOut]:
    stock = detail.stock
    return [VariantOut(variant_id=Id(v.id), sku=v.sku, price=money(v.price),
                       options=dict(v.options), weight_grams=v.weight_grams,
                       available=stock[v.id].available if v.id in stock else 0)
            for v in detail.product.active_variants]


def live_out(detail: ProductDetail, seller: SellerOut) -> ProductLive:
    return ProductLive(seller=seller, variants=variant_outs(detail),
                       availability=AvailabilityOut(in_stock=detail.available > 0,
                                                    quantity=detail.available))


def parts_of(shop: Commerce, detail: ProductDetail, seller: SellerOut | None = None
             ) -> tuple[ProductFacts, ProductLive]:
    """A product's detail as its two cached parts (``seller``: its face, when read already)."""
    seller_id = detail.product.seller_id
    face = seller or sellers_of(shop, [seller_id])[seller_id]
    return facts_out(detail), live_out(detail, face)


def page_parts(page: ProductPage) -> tuple[ProductFacts, ProductLive]:
    """A product page (its detail and seller, read together) as the detail's two parts."""
    seller_id = page.detail.product.seller_id
    return facts_out(page.detail), live_out(page.detail, seller_out(seller_id, page.seller))


def product_out(shop: Commerce, detail: ProductDetail, seller: SellerOut | None = None
                ) -> ProductOut:
    """A product's whole detail, as ``get_product`` sends it (for a write's answer)."""
    facts, live = parts_of(shop, detail, seller)
    return ProductOut(**{f: getattr(facts, f) for f in facts.__struct_fields__},
                      **{f: getattr(live, f) for f in live.__struct_fields__})


def category_tree_out(categories: Sequence[Category]) -> CategoriesOut:
    """The tree from the roots down, each level sorted by name."""
    children: dict[int | None, list[Category]] = {}
    for c in categories:
        children.setdefault(c.parent_id, []).append(c)

    def build(parent: int | None) -> list[CategoryNode]:
        return [CategoryNode(category_id=Id(c.id), name=c.name, children=build(c.id))
                for c in sorted(children.get(parent, []), key=lambda c: c.name)]
    return CategoriesOut(categories=build(None))


# Input --------------------------------------------------------------------------------------
class ProductQuery(Query):
    """The seed's names (``category_id``, ``rating_min``, ``seller_id``) and the shorter ones
    earlier versions took (``category``, ``rating``, ``seller``); giving both with different
    values is refused."""

    category_id: Id | None = None
    category: Id | None = None
    search: Text200 | None = None
    min_price: AmountIn | None = None
    max_price: AmountIn | None = None
    rating_min: Stars | None = None
    rating: Stars | None = None
    in_stock: bool | None = None
    seller_id: Id | None = None
    seller: Id | None = None
    sort: ListingSort = "newest"
    page: Page = 1
    limit: Limit = 20
    cursor: Text500 | None = None  # a listing's next_cursor: the page after it, by keyset


def either(query: Any, seed: str, short: str) -> Any:
    """The value of a parameter given by its seed name or its short one."""
    first, second = getattr(query, seed), getattr(query, short)
    if first is not None and second is not None and first != second:
        raise ValidationError(f"{seed} and {short} name one filter: give one of them",
                              {seed: f"differs from {short}"})
    return first if first is not None else second


def price(value: Decimal | None, name: str) -> Decimal | None:
    """A price bound: a finite amount, not below zero."""
    if value is not None and (not value.is_finite() or value < 0):
        raise ValidationError(f"{name} must be an amount of at least 0", {name: "at least 0"})
    return value


def rating_bound(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def listing_filters(q: ProductQuery) -> dict[str, Any]:
    """The core's arguments for the listing: also the cache key's parts."""
    return {"category_id": either(q, "category_id", "category"),
            "search": q.search, "min_price": price(q.min_price, "min_price"),
            "max_price": price(q.max_price, "max_price"),
            "rating_min": rating_bound(either(q, "rating_min", "rating")),
            "in_stock": q.in_stock, "seller_id": either(q, "seller_id", "seller"),
            "sort": q.sort, "page": q.page, "limit": q.limit, "cursor": q.cursor}


# Handlers -----------------------------------------------------------------------------------
def _list_products(call: Call[ProductQuery, None]) -> Reply:
    filters = listing_filters(call.query)
    body = cached.listing(call.shop, filters, lambda: listing_out(
        call.shop, call.shop.catalog.list_products(**filters)))
    if call.actor is not None and filters["search"]:
        call.shop.activity.searched(call.actor, filters["search"])
    return Reply(encoded=body)


def _get_product(call: Call[object, None]) -> Reply:
    product_id = call.path["product_id"]
    body = cached.product_detail(call.shop, product_id, lambda: page_parts(
        call.shop.catalog.product_page(product_id)))
    if call.actor is not None:  # a signed-in view: its history, and trending
        call.shop.activity.viewed(call.actor, product_id)
        call.shop.rankings.viewed(product_id)
    return Reply(encoded=body)


def _list_categories(call: Call[object, None]) -> Reply:
    return Reply(encoded=cached.category_tree(
        call.shop, lambda: category_tree_out(call.shop.catalog.categories())))


list_products = Operation(
    "GET", f"{API}/products", "list_products", "Browse products: filters, sorts, pages",
    _list_products, query=ProductQuery, response=ProductListOut, auth=False, tag="catalog",
    description="A `search` text is answered by the search index (relevance, typos); "
                "a category covers its sub-tree.")
get_product = Operation(
    "GET", f"{API}/products/{{product_id}}", "get_product", "Product detail",
    _get_product, response=ProductOut, auth=False, errors=(404,), tag="catalog")
list_categories = Operation(
    "GET", f"{API}/categories", "list_categories", "The category tree", _list_categories,
    response=CategoriesOut, auth=False, tag="catalog")

OPERATIONS = (list_products, get_product, list_categories)
