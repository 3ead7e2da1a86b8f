"""The search index port: product documents in, ranked pages out.

The index is eventually consistent with the catalog: documents reach it through the
indexing pipeline after the catalog commits. ``read_your_writes`` says whether a document is
searchable as soon as ``index`` returns (memory, SQL) or only after ``refresh`` (Elasticsearch).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

import attrs

from commerce_core.errors import ValidationError
from commerce_core.pagination import PageRequest
from commerce_core.search.text import Term, plan


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
    """What to find. ``terms`` is the analysed text (:func:`commerce_core.search.text.plan`),
    filled in from ``text`` when not given; the search service gives it with its synonyms
    and typo corrections. ``after`` (a cursor's: the :attr:`SearchHit.key` of the last hit
    of the page before) asks for the hits after it in the sort order, whatever was written
    since, and overrides ``page``'s offset."""

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
    facets: bool = False
    after: tuple[Any, ...] | None = None
    terms: tuple[Term, ...] = attrs.field()

    @terms.default
    def _plain_terms(self) -> tuple[Term, ...]:
        return plan(self.text)

    def __attrs_post_init__(self) -> None:
        PageRequest(self.page, self.limit)  # the listings' bounds, refused alike
        if (self.min_price is not None and self.max_price is not None
                and self.min_price > self.max_price):
            raise ValidationError("min_price is above max_price", {"min_price": "> max_price"})

    @property
    def offset(self) -> int:
        """How many hits to skip: none after a key (the key says where to start)."""
        return 0 if self.after is not None else (self.page - 1) * self.limit

    @property
    def folded_attributes(self) -> dict[str, str]:
        """The attribute filter with values case-folded, as indexes store them."""
        return {key: value.casefold() for key, value in self.attributes.items()}


@attrs.frozen
class SearchHit:
    product_id: int
    score: float
    # field name ("name", "description") -> its text with matched words marked, for the
    # fields a word of the query matched
    highlights: Mapping[str, str] = attrs.field(factory=dict)
    # the hit's place in the sort order, JSON numbers the index reads back as
    # ``SearchQuery.after`` (its own: :func:`sort_key` or an engine's sort values)
    key: tuple[Any, ...] = ()


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(moment: datetime) -> int:
    """A time as whole microseconds since 1970 (exact, unlike a float timestamp)."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def moment(micros_: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros_)


def sort_key(sort: SearchSort, score: float, price: Decimal | float, rating: Decimal | float,
             review_count: int, created_at: datetime, product_id: int) -> tuple[Any, ...]:
    """A hit's place in ``sort`` as numbers that order ascending: the sort's own fields
    (negated where the sort is descending), then newest first, then the higher id."""
    newest = (-micros(created_at), -product_id)
    first: tuple[Any, ...] = {
        SearchSort.RELEVANCE: (-score,), SearchSort.PRICE_ASC: (float(price),),
        SearchSort.PRICE_DESC: (-float(price),),
        SearchSort.RATING: (-float(rating), -review_count), SearchSort.NEWEST: ()}[sort]
    return first + newest


# Price facet buckets: [0, 25), [25, 50), ... [500, no limit)
PRICE_EDGES: tuple[Decimal, ...] = tuple(Decimal(e) for e in (0, 25, 50, 100, 200, 500))
RATING_STEPS = (4, 3, 2, 1)  # "4 stars and up" ...
MAX_FACET_VALUES = 20  # per attribute, and categories


@attrs.frozen
class PriceBucket:
    low: Decimal
    high: Decimal | None  # None: no upper bound
    count: int


@attrs.frozen
class Facets:
    """Counts over every product the query matches (all pages), most frequent first; an
    index that bounds its candidates (SQLite past 500 text matches) counts those."""

    categories: Mapping[int, int]  # a category counts the products in its sub-tree
    attributes: Mapping[str, Mapping[str, int]]  # key -> case-folded value -> count
    prices: Sequence[PriceBucket]  # every bucket, in order, empty ones included
    ratings: Mapping[int, int]  # n -> products rated n or more, for n in RATING_STEPS


def price_bucket(price: Decimal) -> int:
    """The index in PRICE_EDGES of the bucket ``price`` falls in."""
    return max(i for i, edge in enumerate(PRICE_EDGES) if price >= edge) if price >= 0 else 0


def buckets(counts: Mapping[int, int]) -> list[PriceBucket]:
    """Every price bucket with its count, from counts by bucket index."""
    highs: list[Decimal | None] = [*PRICE_EDGES[1:], None]
    return [PriceBucket(low, high, counts.get(i, 0))
            for i, (low, high) in enumerate(zip(PRICE_EDGES, highs, strict=True))]


def top(counts: Mapping[Any, int], n: int = MAX_FACET_VALUES) -> dict[Any, int]:
    """The ``n`` largest counts, largest first, ties by value; zero counts dropped."""
    ranked = sorted(((k, c) for k, c in counts.items() if c), key=lambda kc: (-kc[1], kc[0]))
    return dict(ranked[:n])


@attrs.frozen
class SearchResults:
    hits: Sequence[SearchHit]
    total: int
    # False: ``total`` is a lower bound (the engine stopped counting) or an estimate (an index
    # that ranks a bounded candidate set, SQLite's, scaled what it read)
    total_is_exact: bool
    facets: Facets | None = None  # when the query asked for them


@attrs.frozen
class IndexState:
    """What ``commerce doctor`` shows of an index."""

    backend: str
    documents: int
    detail: str = ""


class SearchIndex(Protocol):
    """A product index. Every adapter analyses text with :mod:`commerce_core.search.text`
    and matches the query's terms: every term must match a term of the name, tags or
    description (name weighs most, then tags), the last one also as a prefix."""

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
        ``text`` must match the name, description or tags. An empty text matches all.
        Facets (when asked) count every match, not just the page. A term marked
        ``unknown`` is corrected against the index's live vocabulary where it has one."""
        ...

    def suggest(self, prefix: str, limit: int = 10) -> Sequence[str]:
        """Product names with a word starting with ``prefix``, most relevant first."""
        ...

    def terms(self) -> Mapping[str, int]:
        """Every term of the index with the number of documents holding it (the vocabulary
        typo tolerance corrects against)."""
        ...

    def state(self) -> IndexState:
        """How many documents the index holds, and where."""
        ...

    def clear(self) -> None:
        """Drop every document (before a full reindex)."""
        ...


@runtime_checkable
class Reindexable(Protocol):
    """An index that can be rebuilt beside the live one and swapped in at once."""

    def rebuild(self, documents: Iterable[ProductDocument]) -> int:
        """Build a fresh index from ``documents`` while searches read the old one, then
        switch to it; how many documents it holds."""
        ...
