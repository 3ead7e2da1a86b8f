"""The search index port: product documents in, ranked pages out.

The index is eventually consistent with the catalog: documents reach it through the
indexing pipeline after the catalog commits. ``read_your_writes`` says whether a document is
searchable as soon as ``index`` returns (memory, SQL) or only after ``refresh`` (Elasticsearch).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Protocol

import attrs

from commerce_core.pagination import PageRequest


@attrs.frozen
class ProductDocument:
    """What the index knows of one product: enough to match, filter, sort and show a hit."""

    product_id: int
    name: str
    description: str
    category_ids: frozenset[int]  # its category and every ancestor, so a sub-tree filter works
    seller_id: int
    min_price: Decimal
    currency: str
    rating: Decimal
    review_count: int
    in_stock: bool
    created_at: datetime
    tags: tuple[str, ...] = ()
    attributes: Mapping[str, str] = attrs.field(factory=dict)
    image: str | None = None


class SearchSort(enum.Enum):
    RELEVANCE = "relevance"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    RATING = "rating"
    NEWEST = "newest"


@attrs.frozen
class SearchQuery:
    text: str = ""
    category_id: int | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    rating_min: Decimal | None = None
    in_stock: bool | None = None
    seller_id: int | None = None
    attributes: Mapping[str, str] = attrs.field(factory=dict)
    sort: SearchSort = SearchSort.RELEVANCE
    page: int = 1
    limit: int = 20

    def __attrs_post_init__(self) -> None:
        PageRequest(self.page, self.limit)  # the listings' bounds, refused alike

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


@attrs.frozen
class SearchHit:
    product_id: int
    score: float


@attrs.frozen
class SearchResults:
    hits: Sequence[SearchHit]
    total: int
    total_is_exact: bool


class SearchIndex(Protocol):
    read_your_writes: bool

    def index(self, documents: Iterable[ProductDocument]) -> None:
        """Add or replace these documents."""
        ...

    def remove(self, product_ids: Iterable[int]) -> None:
        """Drop these products from the index; unknown ids are ignored."""
        ...

    def refresh(self) -> None:
        """Make every indexed document searchable (a no-op where that is immediate)."""
        ...

    def search(self, query: SearchQuery) -> SearchResults:
        """Matching products, best first for RELEVANCE (ties by newest); every word of
        ``text`` must match the name, description or tags. An empty text matches all."""
        ...

    def suggest(self, prefix: str, limit: int = 10) -> Sequence[str]:
        """Product names with a word starting with ``prefix``, most relevant first."""
        ...

    def clear(self) -> None:
        """Drop every document (before a full reindex)."""
        ...
