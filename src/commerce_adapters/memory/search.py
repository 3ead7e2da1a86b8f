"""An in-process product search index: word and prefix matching, filters, sorts, suggestions."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Sequence

import attrs

from commerce_core.search.ports import (
    ProductDocument,
    SearchHit,
    SearchQuery,
    SearchResults,
    SearchSort,
)

NAME_WEIGHT, TAGS_WEIGHT, DESCRIPTION_WEIGHT = 3, 2, 1

_WORD = re.compile(r"\w+")  # unicode word characters, so "café" and "手机" are words


def _words(text: str) -> list[str]:
    """The lower-cased words of ``text``, in order."""
    return _WORD.findall(text.lower())


@attrs.frozen
class _Entry:
    """A document with its words split once, at indexing time."""

    doc: ProductDocument
    name: frozenset[str]
    tags: frozenset[str]
    description: frozenset[str]

    @classmethod
    def of(cls, doc: ProductDocument) -> _Entry:
        return cls(doc, frozenset(_words(doc.name)), frozenset(_words(" ".join(doc.tags))),
                   frozenset(_words(doc.description)))


def _matches(query_word: str, is_last: bool, field: frozenset[str]) -> bool:
    # Only the last word may be a prefix: it is the one the shopper is still typing.
    if is_last:
        return any(word.startswith(query_word) for word in field)
    return query_word in field


def _score(entry: _Entry, query_words: Sequence[str]) -> float | None:
    """Name matches weigh 3, tags 2, description 1, summed over the query words; None if a
    query word matches no field."""
    total = 0
    for i, query_word in enumerate(query_words):
        is_last = i == len(query_words) - 1
        weight = (NAME_WEIGHT * _matches(query_word, is_last, entry.name)
                  + TAGS_WEIGHT * _matches(query_word, is_last, entry.tags)
                  + DESCRIPTION_WEIGHT * _matches(query_word, is_last, entry.description))
        if not weight:
            return None
        total += weight
    return float(total)


def _passes(doc: ProductDocument, q: SearchQuery) -> bool:
    # Prices are compared as amounts: one index holds one currency.
    return ((q.category_id is None or q.category_id in doc.category_ids)
            and (q.min_price is None or doc.min_price >= q.min_price)
            and (q.max_price is None or doc.min_price <= q.max_price)
            and (q.rating_min is None or doc.rating >= q.rating_min)
            and (q.in_stock is None or doc.in_stock == q.in_stock)
            and (q.seller_id is None or doc.seller_id == q.seller_id)
            and all(doc.attributes.get(key, "").casefold() == value.casefold()
                    for key, value in q.attributes.items()))


_Scored = tuple[float, ProductDocument]
# Each sort ends with newest first, then the higher id, so every order is total and stable.
_SORT_KEYS: dict[SearchSort, Callable[[_Scored], tuple[object, ...]]] = {
    SearchSort.RELEVANCE: lambda s: (-s[0], _newest(s[1])),
    SearchSort.PRICE_ASC: lambda s: (s[1].min_price, _newest(s[1])),
    SearchSort.PRICE_DESC: lambda s: (-s[1].min_price, _newest(s[1])),
    SearchSort.RATING: lambda s: (-s[1].rating, -s[1].review_count, _newest(s[1])),
    SearchSort.NEWEST: lambda s: (_newest(s[1]),),
}


def _newest(doc: ProductDocument) -> tuple[float, int]:
    return (-doc.created_at.timestamp(), -doc.product_id)


class MemorySearchIndex:
    """A :class:`~commerce_core.search.ports.SearchIndex` over a dict, safe to share between
    threads; a document is searchable as soon as ``index`` returns.

    Text matching: the query and each field are lower-cased and split into words; every query
    word must equal a word of the name, description or tags, except the last one, which may
    also be the start of a word (so "red sh" finds "Red Shoes"). Counts and totals are exact.
    """

    read_your_writes = True

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[int, _Entry] = {}

    def index(self, documents: Iterable[ProductDocument]) -> None:
        entries = [_Entry.of(doc) for doc in documents]  # split outside the lock
        with self._lock:
            self._entries.update((e.doc.product_id, e) for e in entries)

    def remove(self, product_ids: Iterable[int]) -> None:
        with self._lock:
            for product_id in product_ids:
                self._entries.pop(product_id, None)

    def refresh(self) -> None:
        return None  # writes are visible at once

    def search(self, query: SearchQuery) -> SearchResults:
        query_words = _words(query.text)
        scored: list[_Scored] = []
        for entry in self._snapshot():
            if not _passes(entry.doc, query):
                continue
            score = _score(entry, query_words) if query_words else 0.0
            if score is not None:
                scored.append((score, entry.doc))
        scored.sort(key=_SORT_KEYS[query.sort])
        hits = [SearchHit(doc.product_id, score)
                for score, doc in scored[query.offset:query.offset + query.limit]]
        return SearchResults(hits=hits, total=len(scored), total_is_exact=True)

    def suggest(self, prefix: str, limit: int = 10) -> Sequence[str]:
        """Distinct names matched by ``prefix`` as a search matches the name (one word: a name
        word starting with it), most reviewed first, then by name."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        prefix_words = _words(prefix)
        if not prefix_words:
            return []
        reviews: dict[str, int] = {}
        for entry in self._snapshot():
            name = entry.doc.name
            if all(_matches(w, i == len(prefix_words) - 1, entry.name)
                   for i, w in enumerate(prefix_words)):
                reviews[name] = max(reviews.get(name, 0), entry.doc.review_count)
        return sorted(reviews, key=lambda name: (-reviews[name], name))[:limit]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _snapshot(self) -> list[_Entry]:
        # Entries are immutable, so matching can run on a copy without holding the lock.
        with self._lock:
            return list(self._entries.values())

