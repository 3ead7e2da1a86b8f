"""``GET /api/v1/search`` (matches with facets and highlights) and ``/search/suggest``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

import msgspec

from commerce_core.errors import ValidationError
from commerce_core.facade import Commerce
from commerce_core.search.ports import Facets
from commerce_core.search.service import SearchPage, Suggestion
from commerce_http import params as text_params
from commerce_http.api.catalog import (
    ProductSummaryOut,
    Stars,
    either,
    price,
    rating_bound,
    sellers_of,
    summary_out,
)
from commerce_http.contract.operation import Call, Operation
from commerce_http.contract.wire import (
    Amount,
    AmountIn,
    Id,
    Limit,
    Model,
    Page,
    Query,
    Text100,
    Text200,
    money,
)

API = "/api/v1"
# attribute filters: ``attr.<key>=value``, and these keys by their own name (the seed's)
ATTRIBUTE_PREFIX = "attr."
NAMED_ATTRIBUTES = ("brand", "color", "size")
SearchSort = Literal["relevance", "price_asc", "price_desc", "rating", "newest"]


class SearchQuery(Query):
    """Besides these, ``attr.<key>=value`` filters on any attribute (or variant option)."""

    q: Text200 = ""
    category_id: Id | None = None
    category: Id | None = None
    min_price: AmountIn | None = None
    max_price: AmountIn | None = None
    rating_min: Stars | None = None
    rating: Stars | None = None
    in_stock: bool | None = None
    seller_id: Id | None = None
    seller: Id | None = None
    brand: Text200 | None = None
    color: Text200 | None = None
    size: Text200 | None = None
    sort: SearchSort = "relevance"
    page: Page = 1
    limit: Limit = 20
    cursor: Text200 | None = None
    facets: bool = True


class SuggestQuery(Query):
    q: Text100
    limit: Annotated[int, msgspec.Meta(ge=1, le=50)] = 10


class SearchHitOut(ProductSummaryOut):
    score: float
    highlights: dict[str, str]  # field -> its text with the matched words in <em>


class CategoryCount(Model):
    category_id: Id
    name: str | None
    count: int


class ValueCount(Model):
    value: str
    count: int


class PriceRange(Model):
    min: Amount
    max: Amount | None  # null: no upper bound
    count: int


class RatingCount(Model):
    min: int
    count: int


class FacetsOut(Model):
    """Counts over every match (all pages): a category counts its sub-tree."""

    categories: list[CategoryCount]
    attributes: dict[str, list[ValueCount]]
    price_ranges: list[PriceRange]
    ratings: list[RatingCount]


class SearchPaginationOut(Model):
    page: int
    limit: int
    next_cursor: str | None


class SearchOut(Model):
    products: list[SearchHitOut]
    facets: FacetsOut | None
    total: int
    total_is_exact: bool
    corrected: bool  # some word was matched through a typo correction
    pagination: SearchPaginationOut


class SuggestionOut(Model, omit_defaults=True):
    text: str
    kind: Literal["product", "category", "query"]
    category_id: Id | None = None  # for a category


class SuggestionsOut(Model):
    suggestions: list[SuggestionOut]


def attribute_filters(params: Mapping[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in params:
        key = name[len(ATTRIBUTE_PREFIX):] if name.startswith(ATTRIBUTE_PREFIX) else (
            name if name in NAMED_ATTRIBUTES else None)
        if key is None:
            continue
        if not key or len(key) > 100:
            raise ValidationError("an attribute filter needs a key", {name: "attr.KEY=value"})
        value = text_params.optional_text(params, name, 200)
        if value:
            found[key] = value
    return found


def facets_out(shop: Commerce, facets: Facets) -> FacetsOut:
    names = {c.id: c.name for c in shop.catalog.categories()}
    return FacetsOut(
        categories=[CategoryCount(category_id=Id(cid), name=names.get(cid), count=n)
                    for cid, n in facets.categories.items()],
        attributes={key: [ValueCount(value=v, count=n) for v, n in values.items()]
                    for key, values in facets.attributes.items()},
        price_ranges=[PriceRange(min=money(b.low), count=b.count,
                                 max=None if b.high is None else money(b.high))
                      for b in facets.prices],
        ratings=[RatingCount(min=stars, count=n) for stars, n in facets.ratings.items()])


def search_out(shop: Commerce, found: SearchPage) -> SearchOut:
    summaries = {s.product_id: s for s in
                 shop.catalog.summaries([h.product_id for h in found.hits])}
    sellers = sellers_of(shop, (s.seller_id for s in summaries.values()))
    products = []
    for hit in found.hits:
        if hit.product_id in summaries:
            entry = summaries[hit.product_id]
            base = summary_out(entry, sellers[entry.seller_id])
            products.append(SearchHitOut(
                **{f: getattr(base, f) for f in base.__struct_fields__},
                score=round(hit.score, 6), highlights=dict(hit.highlights)))
    return SearchOut(
        products=products, total=found.total, total_is_exact=found.total_is_exact,
        facets=facets_out(shop, found.facets) if found.facets else None,
        corrected=found.corrected,
        pagination=SearchPaginationOut(page=found.page, limit=found.limit,
                                       next_cursor=found.next_cursor))


def suggestion_out(s: Suggestion) -> SuggestionOut:
    kind: Literal["product", "category", "query"] = (
        "category" if s.kind == "category" else "query" if s.kind == "query" else "product")
    return SuggestionOut(text=s.text, kind=kind,
                         category_id=None if s.category_id is None else Id(s.category_id))


def _search(call: Call[SearchQuery, None]) -> SearchOut:
    q = call.query
    found = call.shop.search.search(
        call.actor, text=q.q, category_id=either(q, "category_id", "category"),
        min_price=price(q.min_price, "min_price"), max_price=price(q.max_price, "max_price"),
        rating_min=rating_bound(either(q, "rating_min", "rating")), in_stock=q.in_stock,
        seller_id=either(q, "seller_id", "seller"), attributes=attribute_filters(call.params),
        sort=q.sort, page=q.page, limit=q.limit, cursor=q.cursor, facets=q.facets)
    return search_out(call.shop, found)


def _suggest(call: Call[SuggestQuery, None]) -> SuggestionsOut:
    found = call.shop.search.suggest(call.query.q, call.query.limit)
    return SuggestionsOut(suggestions=[suggestion_out(s) for s in found])


search = Operation(
    "GET", f"{API}/search", "search_products",
    "Search products: relevance, typos, filters, facets", _search, query=SearchQuery,
    response=SearchOut, auth=False, tag="search",
    description="`attr.<key>=value` filters on an attribute or variant option "
                "(`attr.color=red`); `brand`, `color` and `size` may be given bare. "
                "`cursor` is the `next_cursor` of the page before.")
suggest = Operation(
    "GET", f"{API}/search/suggest", "suggest",
    "Completions of a prefix: product names, categories, popular queries", _suggest,
    query=SuggestQuery, response=SuggestionsOut, auth=False, tag="search")

OPERATIONS = (search, suggest)
