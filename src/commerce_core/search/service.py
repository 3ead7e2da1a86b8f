"""Search use cases: a query with filters and facets, suggestions for a prefix, reindexing.

The service turns the shopper's text into the index's terms (:func:`text.plan`) with the
operator's synonyms and typo corrections against the index's vocabulary, which it keeps for
``vocabulary_ttl`` (a new word becomes correctable within that time; exact matches never
wait for it). Every index then matches the same terms, so a misspelling is forgiven alike
on every backend.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

import attrs

from commerce_core.accounts.policy import Actor
from commerce_core.activity.service import ActivityService
from commerce_core.catalog.model import Category
from commerce_core.catalog.service import CatalogService
from commerce_core.catalog.views import ProductSummary
from commerce_core.clock import Clock
from commerce_core.errors import ValidationError
from commerce_core.pagination import MAX_PAGE, Page
from commerce_core.search.indexer import SearchIndexer
from commerce_core.search.ports import (
    Facets,
    IndexState,
    ProductDocument,
    SearchHit,
    SearchIndex,
    SearchQuery,
    SearchSort,
)
from commerce_core.search.text import Synonyms, Vocabulary, analyze, fold, plan, words
from commerce_core.uow import Transactions

VOCABULARY_TTL = timedelta(seconds=30)


@runtime_checkable
class PopularSearches(Protocol):
    def popular_searches(self, prefix: str, limit: int) -> Sequence[str]:
        """Recent queries starting with ``prefix`` (folded), searched by the most users."""
        ...


@attrs.frozen
class Suggestion:
    text: str
    kind: str  # "product", "category" or "query"
    category_id: int | None = None


@attrs.frozen
class SearchPage:
    hits: Sequence[SearchHit]
    total: int
    total_is_exact: bool
    facets: Facets | None
    page: int
    limit: int
    next_cursor: str | None
    corrected: bool  # some word was matched through a typo correction


_CURSOR_KEY = b"commerce-search-cursor"  # the shop's own key replaces it (bootstrap)
MAX_CURSOR = 512


def _digest(key: bytes, body: bytes, query: SearchQuery) -> str:
    """Keyed over the cursor and the search it belongs to (text, filters, sort, limit)."""
    search = json.dumps([query.text, query.category_id, str(query.min_price),
                         str(query.max_price), str(query.rating_min), query.in_stock,
                         query.seller_id, sorted(query.folded_attributes.items()),
                         query.sort.value, query.limit])
    mac = hmac.new(key, body + b"|" + search.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:12]).decode().rstrip("=")


def encode_cursor(page: int, after: Sequence[Any], query: SearchQuery,
                  key: bytes = _CURSOR_KEY) -> str:
    """The next page's cursor: its number and the last hit's sort key, signed like the
    catalog's listing cursors."""
    body = json.dumps([page, list(after)], separators=(",", ":")).encode()
    text = base64.urlsafe_b64encode(body).decode().rstrip("=")
    return f"{text}.{_digest(key, body, query)}"


def decode_cursor(cursor: str, query: SearchQuery, key: bytes = _CURSOR_KEY
                  ) -> tuple[int, tuple[Any, ...]]:
    """The page number and sort key a cursor of this search carries; ValidationError on
    anything this did not make for it."""
    bad = ValidationError("malformed cursor", {"cursor": "from next_cursor"})
    if len(cursor) > MAX_CURSOR or cursor.count(".") != 1:
        raise bad
    text, digest = cursor.split(".")
    try:
        body = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        if not hmac.compare_digest(digest, _digest(key, body, query)):
            raise bad
        page, after = json.loads(body)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise bad from None
    if (not isinstance(page, int) or not 1 < page <= MAX_PAGE or not isinstance(after, list)
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in after)):
        raise bad
    return page, tuple(after)


class SearchService:
    def __init__(self, index: SearchIndex, tx: Transactions, clock: Clock,
                 activity: ActivityService, popular: PopularSearches | None = None,
                 synonyms: Synonyms | None = None,
                 vocabulary_ttl: timedelta = VOCABULARY_TTL,
                 catalog: CatalogService | None = None) -> None:
        self.index = index
        self.cursor_key = _CURSOR_KEY  # the shop's own (bootstrap), so no client forges one
        self._catalog = catalog
        self.indexer = SearchIndexer(index, tx, clock)
        self.synonyms = synonyms or Synonyms()
        self._tx = tx
        self._clock = clock
        self._activity = activity
        self._popular = popular
        self._ttl = vocabulary_ttl
        self._lock = threading.Lock()
        self._vocabulary: tuple[datetime, Vocabulary] | None = None
        self._categories: tuple[datetime, Sequence[Category]] | None = None
        self.indexer.listeners.append(self._learn)

    def _learn(self, documents: Sequence[ProductDocument]) -> None:
        """Documents this process indexed: their words are correctable at once here (other
        processes learn them when their vocabulary expires)."""
        counts: Counter[str] = Counter()
        for doc in documents:
            counts.update(set(analyze(f"{doc.name} {' '.join(doc.tags)} {doc.description}")))
        with self._lock:
            if self._vocabulary is not None:
                self._vocabulary[1].add(counts)

    def search(self, actor: Actor | None = None, *, text: str = "",
               category_id: int | None = None, min_price: Decimal | None = None,
               max_price: Decimal | None = None, rating_min: Decimal | None = None,
               in_stock: bool | None = None, seller_id: int | None = None,
               attributes: Mapping[str, str] | None = None,
               sort: str | SearchSort = SearchSort.RELEVANCE, page: int = 1, limit: int = 20,
               cursor: str | None = None, facets: bool = True,
               record: bool = True) -> SearchPage:
        """One page of matches with facets over all of them. The shopper's search is
        remembered in their activity (feeding popular queries) unless ``record`` is off."""
        order = _sort(sort)
        terms = plan(text, self.vocabulary(), self.synonyms)
        query = SearchQuery(text=text, category_id=category_id, min_price=min_price,
                            max_price=max_price, rating_min=rating_min, in_stock=in_stock,
                            seller_id=seller_id, attributes=dict(attributes or {}), sort=order,
                            page=page, limit=limit, facets=facets, terms=terms)
        if cursor:
            page, after = decode_cursor(cursor, query, self.cursor_key)
            query = attrs.evolve(query, page=page, after=after)
        found = self.index.search(query)
        if actor is not None and record and text.strip():
            self._activity.searched(actor, text)
        end = (page - 1) * limit + len(found.hits)
        more = (len(found.hits) == limit and end < found.total and page < MAX_PAGE
                and bool(found.hits[-1].key))
        exact = plan(text, None, self.synonyms)
        return SearchPage(found.hits, found.total, found.total_is_exact, found.facets,
                          page, limit,
                          encode_cursor(page + 1, found.hits[-1].key, query, self.cursor_key)
                          if more else None,
                          [t.alternatives for t in terms] != [t.alternatives for t in exact])

    def listing(self, text: str, *, sort: str = "newest", page: int = 1, limit: int = 20,
                **filters: object) -> Page[ProductSummary]:
        """The product listing's answer to a ``search`` text: the index's matches in the
        listing's shape (``/products?search=``)."""
        if self._catalog is None:
            raise RuntimeError("no catalog to list the matches from")
        found = self.search(None, text=text, sort=sort, page=page, limit=limit, facets=False,
                            **filters)  # type: ignore[arg-type]
        items = self._catalog.summaries([h.product_id for h in found.hits])
        return Page(items, found.total, page, limit)

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        """Up to ``limit`` completions of ``prefix``: product names first, then categories,
        then what shoppers searched for, without repeats."""
        if not 1 <= limit <= 50:
            raise ValidationError("limit must be within 1..50", {"limit": "1..50"})
        if len(prefix.strip()) > 100:
            raise ValidationError("the prefix is too long", {"q": "at most 100 characters"})
        if not words(prefix):
            return []
        found = [Suggestion(n, "product") for n in self.index.suggest(prefix, limit)]
        found += [Suggestion(c.name, "category", c.id) for c in self._matching_categories(prefix)]
        if self._popular is not None:
            found += [Suggestion(q, "query") for q in
                      self._popular.popular_searches(" ".join(prefix.split()).lower(), limit)]
        seen: set[str] = set()
        unique = []
        for s in found:
            if fold(s.text) not in seen:
                seen.add(fold(s.text))
                unique.append(s)
        return unique[:limit]

    def _matching_categories(self, prefix: str) -> list[Category]:
        wanted = words(prefix)
        return [c for c in self._category_list()
                if all(any(w.startswith(p) for w in words(c.name)) for p in wanted)][:5]

    def _category_list(self) -> Sequence[Category]:
        now = self._clock.now()
        with self._lock:
            if self._categories and now - self._categories[0] < self._ttl:
                return self._categories[1]
        with self._tx.catalog_read(replica=True) as catalog:
            cats = sorted(catalog.categories.all(), key=lambda c: c.name)
        with self._lock:
            self._categories = (now, cats)
        return cats

    def vocabulary(self) -> Vocabulary:
        """The index's terms, read at most once per ``vocabulary_ttl``."""
        now = self._clock.now()
        with self._lock:
            if self._vocabulary and now - self._vocabulary[0] < self._ttl:
                return self._vocabulary[1]
        vocabulary = Vocabulary(self.index.terms())
        with self._lock:
            self._vocabulary = (now, vocabulary)
        return vocabulary

    def forget_vocabulary(self) -> None:
        """Read the vocabulary afresh at the next search (after a reindex)."""
        with self._lock:
            self._vocabulary = self._categories = None

    def reindex(self, total: Callable[[int], None] | None = None,
                progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the index from the catalog (see :meth:`SearchIndexer.reindex`)."""
        count = self.indexer.reindex(total, progress)
        self.forget_vocabulary()
        return count

    def state(self) -> IndexState:
        return self.index.state()


def _sort(sort: str | SearchSort) -> SearchSort:
    try:
        return SearchSort(sort)
    except ValueError:
        raise ValidationError(f"unknown sort {sort!r}",
                              {"sort": f"one of {', '.join(s.value for s in SearchSort)}"}
                              ) from None
