"""The search index on Elasticsearch, through the official client.

``elasticsearch://host:9200/products`` (``elasticsearch+https://`` for TLS; the path names
the alias, ``products`` by default). Searches and writes go through the alias; a rebuild
fills a new concrete index (``<alias>-<timestamp>``) and swaps the alias to it in one
``_aliases`` call, so searches never see a half-built index (zero-downtime reindex).

The documents carry the terms analysed by :mod:`commerce_core.search.text` in fields
analysed by whitespace only, so Elasticsearch matches what every other index matches;
scoring is Elasticsearch's BM25 with the name boosted 3 and the tags 2. Facets are
aggregations; the vocabulary is a terms aggregation. Not read-your-writes: a write is
searchable after the index's refresh (``refresh()`` forces one).
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from elasticsearch import ApiError, Elasticsearch, TransportError, helpers

from commerce_adapters.memory.search import highlights
from commerce_core.errors import Unavailable, ValidationError
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
    top,
)
from commerce_core.search.text import Term, analyze

EXACT_TOTAL_UP_TO = 10_000  # past this the total is a lower bound (said so)
MAX_TERMS = 65_536  # vocabulary read at most this many distinct terms
_TERMS = {"type": "text", "analyzer": "terms", "norms": True}
MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "product_id": {"type": "long"},
        "name": {"type": "text", "analyzer": "standard",
                 "fields": {"raw": {"type": "keyword"}}},
        "description": {"type": "text", "analyzer": "standard"},
        "name_terms": _TERMS, "tags_terms": _TERMS, "description_terms": _TERMS,
        "terms": {"type": "keyword"},  # distinct terms: the vocabulary aggregation's field
        "category_ids": {"type": "long"},
        "attribute_pairs": {"type": "keyword"},  # "key=value", value case-folded
        "attributes": {"type": "object", "enabled": False},
        "tags": {"type": "keyword"},
        "seller_id": {"type": "long"},
        "min_price": {"type": "scaled_float", "scaling_factor": 10_000},
        "price_bucket": {"type": "integer"},
        "currency": {"type": "keyword"},
        "rating": {"type": "float"},
        "review_count": {"type": "integer"},
        "in_stock": {"type": "boolean"},
        "image": {"type": "keyword", "index": False},
        "created_at": {"type": "date"},
    },
}
SETTINGS: dict[str, Any] = {
    "analysis": {"analyzer": {"terms": {"type": "custom", "tokenizer": "whitespace",
                                        "filter": ["lowercase"]}}},
}
_BOOST = {"name_terms": 3.0, "tags_terms": 2.0, "description_terms": 1.0}


def open_index(url: str) -> ElasticsearchSearchIndex:
    """The index an ``elasticsearch://`` (or ``http(s)://``) URL names."""
    parts = urlsplit(url)
    secure = parts.scheme.endswith("+https") or parts.scheme == "https"
    host = f"{'https' if secure else 'http'}://{parts.netloc}"
    alias = parts.path.strip("/") or "products"
    return ElasticsearchSearchIndex(Elasticsearch(host, request_timeout=30), alias)


def _source(doc: ProductDocument) -> dict[str, Any]:
    fields = {"name_terms": analyze(doc.name), "tags_terms": analyze(" ".join(doc.tags)),
              "description_terms": analyze(doc.description)}
    return {"product_id": doc.product_id, "name": doc.name, "description": doc.description,
            **{k: " ".join(v) for k, v in fields.items()},
            "terms": sorted({t for v in fields.values() for t in v}),
            "category_ids": sorted(doc.category_ids),
            "attribute_pairs": [f"{k}={v.casefold()}" for k, v in doc.attributes.items()],
            "attributes": dict(doc.attributes), "tags": list(doc.tags),
            "seller_id": doc.seller_id, "min_price": float(doc.min_price),
            "price_bucket": price_bucket(doc.min_price), "currency": doc.currency,
            "rating": float(doc.rating), "review_count": doc.review_count,
            "in_stock": doc.in_stock, "image": doc.image,
            "created_at": doc.created_at.isoformat()}


def term_query(term: Term, fields: Iterable[str] = tuple(_BOOST)) -> dict[str, Any]:
    """Any alternative of the term in any field; a prefix where the term may be one; and a
    word the planning vocabulary did not know within the edits every index allows (fuzziness
    AUTO with the analyser's bounds: one edit from 4 letters, two from 8), so a word indexed
    a moment ago by another process is corrected by Elasticsearch's own terms."""
    kind = "prefix" if term.prefix else "term"
    should: list[dict[str, Any]] = [{kind: {field: {"value": alt, "boost": _BOOST[field]}}}
                                    for alt in term.alternatives for field in fields]
    if term.unknown:
        should += [{"fuzzy": {field: {"value": term.unknown, "fuzziness": "AUTO:4,8",
                                      "transpositions": True, "boost": _BOOST[field]}}}
                   for field in fields]
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _filters(q: SearchQuery) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if q.category_id is not None:
        found.append({"term": {"category_ids": q.category_id}})
    price = {k: float(v) for k, v in (("gte", q.min_price), ("lte", q.max_price))
             if v is not None}
    if price:
        found.append({"range": {"min_price": price}})
    if q.rating_min is not None:
        found.append({"range": {"rating": {"gte": float(q.rating_min)}}})
    if q.in_stock is not None:
        found.append({"term": {"in_stock": q.in_stock}})
    if q.seller_id is not None:
        found.append({"term": {"seller_id": q.seller_id}})
    found += [{"term": {"attribute_pairs": f"{k}={v}"}}
              for k, v in q.folded_attributes.items()]
    return found


_NEWEST = [{"created_at": "desc"}, {"product_id": "desc"}]
_SORTS: dict[SearchSort, list[Any]] = {
    SearchSort.RELEVANCE: [{"_score": "desc"}, *_NEWEST],
    SearchSort.PRICE_ASC: [{"min_price": "asc"}, *_NEWEST],
    SearchSort.PRICE_DESC: [{"min_price": "desc"}, *_NEWEST],
    SearchSort.RATING: [{"rating": "desc"}, {"review_count": "desc"}, *_NEWEST],
    SearchSort.NEWEST: _NEWEST,
}
_AGGS: dict[str, Any] = {
    "categories": {"terms": {"field": "category_ids", "size": 20}},
    "attributes": {"terms": {"field": "attribute_pairs", "size": 1000}},
    "prices": {"terms": {"field": "price_bucket", "size": 20}},
    **{f"rating_{n}": {"filter": {"range": {"rating": {"gte": n}}}} for n in RATING_STEPS},
}


class ElasticsearchSearchIndex:
    """A :class:`~commerce_core.search.ports.SearchIndex` on an Elasticsearch alias."""

    read_your_writes = False

    def __init__(self, client: Elasticsearch, alias: str = "products") -> None:
        self._es = client
        self.alias = alias
        self._lock = threading.Lock()
        self._building: str | None = None  # the index a rebuild fills: writes go there too
        self._ensured = False

    def close(self) -> None:
        self._es.close()  # the client it was given: its connection pool

    # Writes ---------------------------------------------------------------------------------
    def _ensure(self) -> None:
        """The alias and an index behind it, made on first use."""
        if self._ensured:
            return
        with _translated():
            if not self._es.indices.exists_alias(name=self.alias):
                self._es.indices.create(index=self._new_name(), mappings=MAPPING,
                                        settings=SETTINGS,
                                        aliases={self.alias: {}})
        self._ensured = True

    def _new_name(self) -> str:
        return f"{self.alias}-{time.time_ns()}"

    def _targets(self) -> list[str]:
        with self._lock:
            return [self.alias, *([self._building] if self._building else [])]

    def index(self, documents: Iterable[ProductDocument]) -> None:
        self._ensure()
        docs = list(documents)
        for target in self._targets():
            self._bulk({"_op_type": "index", "_index": target, "_id": str(d.product_id),
                        "_source": _source(d)} for d in docs)

    def remove(self, product_ids: Iterable[int]) -> None:
        self._ensure()
        ids = list(product_ids)
        for target in self._targets():
            self._bulk({"_op_type": "delete", "_index": target, "_id": str(i)} for i in ids)

    def _bulk(self, actions: Iterable[dict[str, Any]]) -> int:
        with _translated():
            done, errors = helpers.bulk(self._es, actions, raise_on_error=False,
                                        chunk_size=1000)
        failed = [e for e in errors if not _not_found(e)]  # type: ignore[union-attr]
        if failed:
            raise Unavailable("Elasticsearch refused some documents",
                              {"errors": str(failed[:3])[:500]})
        return int(done)

    def refresh(self) -> None:
        self._ensure()
        with _translated():
            self._es.indices.refresh(index=self.alias)

    def clear(self) -> None:
        self._ensure()
        with _translated():
            self._es.delete_by_query(index=self.alias, query={"match_all": {}},
                                     refresh=True, conflicts="proceed")

    def rebuild(self, documents: Iterable[ProductDocument]) -> int:
        """Fill a new index, then point the alias at it and drop the old one. Writes made
        through this object meanwhile go to both; another process's writes made during
        the rebuild reach only the old index (replay them, or rebuild when quiet)."""
        self._ensure()
        fresh = self._new_name()
        with _translated():
            self._es.indices.create(index=fresh, mappings=MAPPING, settings=SETTINGS)
        with self._lock:
            self._building = fresh
        try:
            count = self._bulk({"_op_type": "index", "_index": fresh,
                                "_id": str(d.product_id), "_source": _source(d)}
                               for d in documents)
            with _translated():
                self._es.indices.refresh(index=fresh)
                old = list(self._es.indices.get_alias(name=self.alias))
                self._es.indices.update_aliases(actions=[
                    *({"remove": {"index": name, "alias": self.alias}} for name in old),
                    {"add": {"index": fresh, "alias": self.alias}}])
                for name in old:
                    self._es.indices.delete(index=name, ignore_unavailable=True)
        except BaseException:
            with _translated():
                self._es.indices.delete(index=fresh, ignore_unavailable=True)
            raise
        finally:
            with self._lock:
                self._building = None
        return count

    def drop(self) -> None:
        """Delete the alias and every index behind it (tests, uninstalling)."""
        with _translated():
            if self._es.indices.exists_alias(name=self.alias):
                for name in self._es.indices.get_alias(name=self.alias):
                    self._es.indices.delete(index=name, ignore_unavailable=True)
        self._ensured = False

    # Reads ----------------------------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchResults:
        self._ensure()
        terms = query.terms
        body: dict[str, Any] = {"bool": {"must": [term_query(t) for t in terms],
                                         "filter": _filters(query)}}
        sort = _SORTS[query.sort]
        # a keyset page: search_after the last hit's sort values (they end with the id, so
        # the order is total); the key is Elasticsearch's own, read back as it gave it
        after: dict[str, Any] = {}
        if query.after is not None:
            if len(query.after) != len(sort):
                raise ValidationError("malformed cursor", {"cursor": "from next_cursor"})
            after = {"search_after": list(query.after)}
        with _translated():
            found = self._es.search(
                index=self.alias, query=body, sort=sort, from_=query.offset,
                size=query.limit, track_total_hits=EXACT_TOTAL_UP_TO,
                source_includes=["name", "description"], aggs=_AGGS if query.facets else None,
                **after)
        hits = [SearchHit(int(h["_id"]), float(h["_score"] or 0.0) if terms else 0.0,
                          highlights(h["_source"]["name"], h["_source"]["description"], terms)
                          if terms else {}, tuple(h["sort"])) for h in found["hits"]["hits"]]
        total = found["hits"]["total"]
        facets = _facets(found["aggregations"]) if query.facets else None
        return SearchResults(hits, int(total["value"]), total["relation"] == "eq", facets)

    def suggest(self, prefix: str, limit: int = 10) -> Sequence[str]:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        terms = SearchQuery(text=prefix).terms
        if not terms:
            return []
        self._ensure()
        with _translated():
            # the most reviewed matches first; several products may share a name
            found = self._es.search(
                index=self.alias, size=limit * 5, source_includes=["name"],
                query={"bool": {"must": [term_query(t, ["name_terms"]) for t in terms]}},
                sort=[{"review_count": "desc"}, {"name.raw": "asc"}])
        names: dict[str, None] = {}
        for hit in found["hits"]["hits"]:
            names.setdefault(hit["_source"]["name"])
        return list(names)[:limit]

    def terms(self) -> Mapping[str, int]:
        self._ensure()
        with _translated():
            found = self._es.search(index=self.alias, size=0, aggs={
                "terms": {"terms": {"field": "terms", "size": MAX_TERMS}}})
        return {b["key"]: b["doc_count"] for b in found["aggregations"]["terms"]["buckets"]}

    def state(self) -> IndexState:
        self._ensure()
        with _translated():
            count = self._es.count(index=self.alias)["count"]
            behind = ", ".join(self._es.indices.get_alias(name=self.alias))
        return IndexState("elasticsearch", int(count), f"alias {self.alias} -> {behind}")

    def documents(self) -> Iterator[int]:
        """Every product id in the index (for checks)."""
        with _translated():
            for hit in helpers.scan(self._es, index=self.alias, source=False):
                yield int(hit["_id"])


def _facets(aggs: Mapping[str, Any]) -> Facets:
    attributes: dict[str, Counter[str]] = defaultdict(Counter)
    for b in aggs["attributes"]["buckets"]:
        key, _, value = b["key"].partition("=")
        attributes[key][value] = b["doc_count"]
    return Facets(
        top({int(b["key"]): b["doc_count"] for b in aggs["categories"]["buckets"]}),
        {k: top(v) for k, v in sorted(attributes.items())},
        buckets({int(b["key"]): b["doc_count"] for b in aggs["prices"]["buckets"]}),
        {n: int(aggs[f"rating_{n}"]["doc_count"]) for n in RATING_STEPS})


def _not_found(error: Any) -> bool:
    return isinstance(error, dict) and error.get("delete", {}).get("status") == 404


class _translated:
    """The client's transport and server errors as the core's Unavailable, at the edge."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, ex: BaseException | None,
                 tb: Any) -> None:
        if isinstance(ex, TransportError):
            raise Unavailable("Elasticsearch did not answer", {"search": str(ex)[:200]}) from ex
        if isinstance(ex, ApiError) and ex.meta.status >= 500:
            raise Unavailable("Elasticsearch failed", {"search": str(ex)[:200]}) from ex

