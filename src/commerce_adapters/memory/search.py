"""An in-process product search index: analysed terms, filters, sorts, facets, suggestions."""

from __future__ import annotations

import bisect
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from commerce_core.search.ports import (
    RATING_STEPS,
    Facets,
    IndexState,
    ProductDocument,
    SearchHit,
    SearchQuery,
    SearchResults,
    SearchSort,
    buckets,
    price_bucket,
    sort_key,
    top,
)
from commerce_core.search.text import Term, analyze, correct, highlight

NAME_WEIGHT, TAGS_WEIGHT, DESCRIPTION_WEIGHT = 3, 2, 1


@attrs.frozen
class _Entry:
    """A document with its terms analysed once, at indexing time."""

    doc: ProductDocument
    name: frozenset[str]
    tags: frozenset[str]
    description: frozenset[str]
    attributes: Mapping[str, str]  # values case-folded

    @classmethod
    def of(cls, doc: ProductDocument) -> _Entry:
        return cls(doc, frozenset(analyze(doc.name)), frozenset(analyze(" ".join(doc.tags))),
                   frozenset(analyze(doc.description)),
                   {k: v.casefold() for k, v in doc.attributes.items()})

    @property
    def all_terms(self) -> frozenset[str]:
        return self.name | self.tags | self.description


def _matches(term: Term, field: frozenset[str]) -> bool:
    if term.prefix:
        return any(word.startswith(a) for a in term.alternatives for word in field)
    return any(a in field for a in term.alternatives)


def _score(entry: _Entry, terms: Sequence[Term]) -> float | None:
    """Name matches weigh 3, tags 2, description 1, summed over the query's terms; None if a
    term matches no field."""
    total = 0
    for term in terms:
        weight = (NAME_WEIGHT * _matches(term, entry.name)
                  + TAGS_WEIGHT * _matches(term, entry.tags)
                  + DESCRIPTION_WEIGHT * _matches(term, entry.description))
        if not weight:
            return None
        total += weight
    return float(total)


def _passes(entry: _Entry, q: SearchQuery, attributes: Mapping[str, str]) -> bool:
    # Prices are compared as amounts: one index holds one currency.
    doc = entry.doc
    return ((q.category_id is None or q.category_id in doc.category_ids)
            and (q.min_price is None or doc.min_price >= q.min_price)
            and (q.max_price is None or doc.min_price <= q.max_price)
            and (q.rating_min is None or doc.rating >= q.rating_min)
            and (q.in_stock is None or doc.in_stock == q.in_stock)
            and (q.seller_id is None or doc.seller_id == q.seller_id)
            and all(entry.attributes.get(key) == value for key, value in attributes.items()))


def _key(sort: SearchSort, score: float, doc: ProductDocument) -> tuple[Any, ...]:
    # every sort ends with newest first, then the higher id, so every order is total
    return sort_key(sort, score, doc.min_price, doc.rating, doc.review_count, doc.created_at,
                    doc.product_id)


def highlights(name: str, description: str, terms: Sequence[Term]) -> dict[str, str]:
    """The name and description with matched words marked, for the fields that matched."""
    marked = {"name": highlight(name, terms),
              "description": highlight(description, terms) if description else None}
    return {field: text for field, text in marked.items() if text is not None}


def facets_of(entries: Iterable[_Entry]) -> Facets:
    categories: Counter[int] = Counter()
    attributes: dict[str, Counter[str]] = {}
    prices: Counter[int] = Counter()
    ratings: Counter[int] = Counter()
    for entry in entries:
        doc = entry.doc
        categories.update(doc.category_ids)
        for key, value in entry.attributes.items():
            attributes.setdefault(key, Counter())[value] += 1
        prices[price_bucket(doc.min_price)] += 1
        ratings.update(n for n in RATING_STEPS if doc.rating >= n)
    return Facets(top(categories), {k: top(v) for k, v in sorted(attributes.items())},
                  buckets(prices), {n: ratings[n] for n in RATING_STEPS})


class MemorySearchIndex:
    """A :class:`~commerce_core.search.ports.SearchIndex` over a dict, safe to share between
    threads; a document is searchable as soon as ``index`` returns. Counts and totals are
    exact. Every search scans every document: fine for tests and demos, not for 100,000."""

    read_your_writes = True

    def __init__(self, *_: object) -> None:
        self._lock = threading.Lock()
        self._entries: dict[int, _Entry] = {}

    def index(self, documents: Iterable[ProductDocument]) -> None:
        entries = [_Entry.of(doc) for doc in documents]  # analysed outside the lock
        with self._lock:
            self._entries.update((e.doc.product_id, e) for e in entries)

    def remove(self, product_ids: Iterable[int]) -> None:
        with self._lock:
            for product_id in product_ids:
                self._entries.pop(product_id, None)

    def refresh(self) -> None:
        return None  # writes are visible at once

    def search(self, query: SearchQuery) -> SearchResults:
        terms = query.terms
        if any(t.unknown for t in terms):  # the live terms: this index scans them anyway
            live = self.terms()
            terms = correct(terms, lambda words: dict.fromkeys(words, live))
        attributes = query.folded_attributes
        scored: list[tuple[float, _Entry]] = []
        for entry in self._snapshot():
            if not _passes(entry, query, attributes):
                continue
            score = _score(entry, terms) if terms else 0.0
            if score is not None:
                scored.append((score, entry))
        keyed = sorted(((_key(query.sort, score, e.doc), score, e) for score, e in scored),
                       key=lambda k: k[0])
        if query.after is not None:
            after = query.after
            start = bisect.bisect_right([k for k, _, _ in keyed], after)
        else:
            start = query.offset
        hits = [SearchHit(e.doc.product_id, score,
                          highlights(e.doc.name, e.doc.description, terms) if terms else {},
                          key)
                for key, score, e in keyed[start:start + query.limit]]
        facets = facets_of(e for _, e in scored) if query.facets else None
        return SearchResults(hits=hits, total=len(scored), total_is_exact=True, facets=facets)

    def suggest(self, prefix: str, limit: int = 10) -> Sequence[str]:
        """Distinct names matched by ``prefix`` as a search matches the name (one word: a name
        word starting with it), most reviewed first, then by name."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        terms = SearchQuery(text=prefix).terms
        if not terms:
            return []
        reviews: dict[str, int] = {}
        for entry in self._snapshot():
            name = entry.doc.name
            if all(_matches(t, entry.name) for t in terms):
                reviews[name] = max(reviews.get(name, 0), entry.doc.review_count)
        return sorted(reviews, key=lambda name: (-reviews[name], name))[:limit]

    def terms(self) -> Mapping[str, int]:
        counts: Counter[str] = Counter()
        for entry in self._snapshot():
            counts.update(entry.all_terms)
        return dict(counts)

    def state(self) -> IndexState:
        with self._lock:
            return IndexState("memory", len(self._entries), "in this process")

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def rebuild(self, documents: Iterable[ProductDocument]) -> int:
        """Analyse every document aside, then swap the whole index in at once."""
        fresh = {e.doc.product_id: e for e in (_Entry.of(doc) for doc in documents)}
        with self._lock:
            self._entries = fresh
        return len(fresh)

    def _snapshot(self) -> list[_Entry]:
        # Entries are immutable, so matching can run on a copy without holding the lock.
        with self._lock:
            return list(self._entries.values())
