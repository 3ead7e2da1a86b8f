"""The search index in the SQL database: SQLite FTS5 or PostgreSQL tsvector (migration 0009).

Filters, sorts and facets are plain SQL over ``search_documents`` and its side tables, the
same on both; only the text match and its rank are the dialect's own:

- SQLite: ``search_fts MATCH '("bike" OR "bicycle") AND "helm"*'``, ranked by
  ``bm25(search_fts, 3, 2, 1)`` (name, tags, description), prefixes served by FTS5's prefix
  indexes (2, 3 and 4 letters), the vocabulary read from ``search_vocab`` (fts5vocab).
- PostgreSQL: ``tsv @@ '(bike | bicycle) & helm:*'::tsquery`` on the GIN-indexed generated
  column, ranked by ``ts_rank`` (weights A, B, C), the vocabulary from ``ts_stat``, and a
  mistyped suggestion prefix answered by pg_trgm similarity on the name.

Writes are one transaction each (delete then insert the documents' rows), so a search sees a
document entirely old or entirely new; a rebuild is one transaction too, so searches read
the old index until it commits.
"""

from __future__ import annotations

import bisect
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from commerce_adapters.memory.search import highlights
from commerce_adapters.sql import schema as t
from commerce_adapters.sql.database import Database
from commerce_adapters.sql.errors import translate
from commerce_core.errors import ValidationError
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
    moment,
    price_bucket,
    sort_key,
    top,
)
from commerce_core.search.text import Term, analyze, correct

d, c, a = t.search_documents, t.search_categories, t.search_attributes
np = t.search_name_prefixes
_FTS = sa.table("search_fts", sa.column("rowid"), sa.column("name_terms"),
                sa.column("tags_terms"), sa.column("description_terms"))
_TSV: Any = sa.literal_column("search_documents.tsv")
# PostgreSQL's vocabulary, written with the documents (migration 0014; never thinned: a term
# whose last document went is a correction that finds nothing)
_TERMS = sa.table("search_terms", sa.column("term", sa.Text))
# PostgreSQL keeps a document's categories and attribute pairs ("key=value") in arrays on
# its row (GIN-indexed, migration 0009) instead of the side tables: filters are one index
# probe and facets unnest the matched rows without a join.
_PG_DOCS = sa.Table(
    "search_documents", sa.MetaData(),
    *(sa.Column(col.name, col.type, primary_key=col.primary_key) for col in d.columns),
    sa.Column("category_ids", postgresql.ARRAY(sa.BigInteger)),
    sa.Column("attribute_pairs", postgresql.ARRAY(sa.Text)))
# the same two columns in reads of ``d`` (a second Table object would be a second FROM)
_CATEGORY_IDS: Any = sa.literal_column("search_documents.category_ids",
                                       postgresql.ARRAY(sa.BigInteger))
_ATTRIBUTE_PAIRS: Any = sa.literal_column("search_documents.attribute_pairs",
                                          postgresql.ARRAY(sa.Text))
_BATCH = 500
# SQLite: a text search ranks, counts and facets at most this many of its matches (the newest
# name/tag matches first). FTS5 scores every row it returns, so a two-letter prefix matching
# 40% of 100,000 descriptions would otherwise score, join and group 40,000 rows per search.
CANDIDATES = 500
_NAMES = "name_terms tags_terms"


def _row(doc: ProductDocument) -> dict[str, Any]:
    return {"product_id": doc.product_id, "name": doc.name, "description": doc.description,
            "tags": list(doc.tags), "attributes": dict(doc.attributes),
            "name_terms": " ".join(analyze(doc.name)),
            "tags_terms": " ".join(analyze(" ".join(doc.tags))),
            "description_terms": " ".join(analyze(doc.description)),
            "seller_id": doc.seller_id, "min_price": doc.min_price,
            "price_bucket": price_bucket(doc.min_price), "currency": doc.currency,
            "rating": doc.rating, "review_count": doc.review_count, "in_stock": doc.in_stock,
            "image": doc.image, "created_at": doc.created_at}


# Keyset pages: a hit's key is :func:`sort_key` of its row (numbers ordering ascending), and
# ``after`` becomes "(k1, k2, ...) > (a1, a2, ...)" spelt out per column with each column's
# direction (the sorts mix them).
_KEY_COLUMNS = (d.c.min_price, d.c.rating, d.c.review_count, d.c.created_at)


def _row_key(sort: SearchSort, r: Any) -> tuple[Any, ...]:
    return sort_key(sort, float(r.score or 0), r.min_price, r.rating, r.review_count,
                    r.created_at, r.product_id)


def _candidate_key(sort: SearchSort, r: Any) -> tuple[Any, ...]:
    """A candidate's key (its time as stored, naive UTC ISO text); relevance puts the
    name/tag tier first, as the bounded ranking does."""
    created = datetime.fromisoformat(r.created_at).replace(tzinfo=UTC)
    key = sort_key(sort, float(r.score), r.min_price, r.rating, r.review_count, created,
                   r.product_id)
    return (r.tier, *key) if sort is SearchSort.RELEVANCE else key


def _after(query: SearchQuery, score: Any) -> list[Any]:
    """The rows after ``query.after`` in the query's order, as a WHERE condition."""
    if query.after is None:
        return []
    columns: list[tuple[Any, int]] = {
        SearchSort.RELEVANCE: [(score, -1)], SearchSort.PRICE_ASC: [(d.c.min_price, 1)],
        SearchSort.PRICE_DESC: [(d.c.min_price, -1)],
        SearchSort.RATING: [(d.c.rating, -1), (d.c.review_count, -1)],
        SearchSort.NEWEST: []}[query.sort] + [(d.c.created_at, -1), (d.c.product_id, -1)]
    if len(query.after) != len(columns):
        raise ValidationError("malformed cursor", {"cursor": "from next_cursor"})
    values: list[Any] = [sign * v for (_, sign), v in zip(columns, query.after, strict=True)]
    values[-2] = moment(-query.after[-2])
    values[-1] = int(values[-1])
    ors = []
    for i, (column, sign) in enumerate(columns):
        same = [col == values[j] for j, (col, _) in enumerate(columns[:i])]
        ors.append(sa.and_(*same, column > values[i] if sign > 0 else column < values[i]))
    return [sa.or_(*ors)]


def name_keys(words: Sequence[str]) -> set[str]:
    """The keys a name is found under in ``search_name_prefixes``: each word's first two
    and first three letters."""
    return {w[:n] for w in words for n in (2, 3) if len(w) >= n}


def fts5_query(terms: Sequence[Term], column: str | None = None) -> str:
    """An FTS5 MATCH expression: every term, any of its alternatives. Terms are letters and
    digits only (the analyser's), quoted so none reads as an operator."""
    def one(term: Term) -> str:
        star = "*" if term.prefix else ""
        return "(" + " OR ".join(f'"{alt}"{star}' for alt in term.alternatives) + ")"
    expression = " AND ".join(one(term) for term in terms)
    return f"{{{column}}} : ({expression})" if column else expression


def tsquery(terms: Sequence[Term], weights: str = "") -> str:
    """A tsquery literal: every term, any of its alternatives (``:*`` for a prefix), limited
    to lexemes of ``weights`` when given ("A": the name)."""
    def one(term: Term) -> str:
        mark = (":*" if term.prefix else ":") + weights if term.prefix or weights else ""
        return "(" + " | ".join(f"'{alt}'{mark}" for alt in term.alternatives) + ")"
    return " & ".join(one(term) for term in terms)


class SqlSearchIndex:
    """A :class:`~commerce_core.search.ports.SearchIndex` on SQLite (FTS5) or PostgreSQL
    (tsvector); read-your-writes, totals exact."""

    read_your_writes = True

    def __init__(self, db: Database | str) -> None:
        self._db = db if isinstance(db, Database) else Database(db)
        self._pg = self._db.dialect == "postgresql"

    # Writes ---------------------------------------------------------------------------------
    def index(self, documents: Iterable[ProductDocument]) -> None:
        docs = list(documents)
        for start in range(0, len(docs), _BATCH):
            batch = docs[start:start + _BATCH]
            self._run(lambda conn, b=batch: self._write(conn, b))

    def _write(self, conn: sa.Connection, docs: Sequence[ProductDocument]) -> None:
        latest = {doc.product_id: doc for doc in docs}  # the last of a repeated id wins
        self._delete(conn, list(latest))
        rows = [_row(doc) for doc in latest.values()]
        if not rows:
            return
        prefixes = [{"prefix": key, "product_id": r["product_id"],
                     "review_count": r["review_count"], "name": r["name"],
                     "terms": r["name_terms"]}
                    for r in rows for key in name_keys(r["name_terms"].split())]
        if prefixes:
            conn.execute(np.insert(), prefixes)
        if self._pg:
            words = sorted({w for r in rows for col in ("name_terms", "tags_terms",
                                                         "description_terms")
                            for w in r[col].split()})
            conn.execute(postgresql.insert(_TERMS).on_conflict_do_nothing(),
                         [{"term": w} for w in words])
            conn.execute(_PG_DOCS.insert(), [
                {**row, "category_ids": sorted(doc.category_ids),
                 "attribute_pairs": [f"{k}={v.casefold()}" for k, v in doc.attributes.items()]}
                for row, doc in zip(rows, latest.values(), strict=True)])
            return
        conn.execute(d.insert(), rows)
        categories = [{"product_id": doc.product_id, "category_id": cat}
                      for doc in latest.values() for cat in doc.category_ids]
        if categories:
            conn.execute(c.insert(), categories)
        attributes = [{"product_id": doc.product_id, "key": k, "value": v.casefold()}
                      for doc in latest.values() for k, v in doc.attributes.items()]
        if attributes:
            conn.execute(a.insert(), attributes)
        if not self._pg:
            conn.execute(sa.insert(_FTS), [
                {"rowid": r["product_id"], "name_terms": r["name_terms"],
                 "tags_terms": r["tags_terms"], "description_terms": r["description_terms"]}
                for r in rows])

    def _delete(self, conn: sa.Connection, product_ids: list[int]) -> None:
        for start in range(0, len(product_ids), _BATCH):
            ids = product_ids[start:start + _BATCH]
            for table in (d, np):
                conn.execute(table.delete().where(table.c.product_id.in_(ids)))
            if not self._pg:
                for table in (c, a):
                    conn.execute(table.delete().where(table.c.product_id.in_(ids)))
                conn.execute(sa.delete(_FTS).where(_FTS.c.rowid.in_(ids)))

    def remove(self, product_ids: Iterable[int]) -> None:
        ids = list(product_ids)
        self._run(lambda conn: self._delete(conn, ids))

    def refresh(self) -> None:
        return None  # a committed write is visible at once

    def clear(self) -> None:
        self._run(self._clear)

    def _clear(self, conn: sa.Connection) -> None:
        for table in (d, c, a, np):
            conn.execute(table.delete())
        if self._pg:
            conn.execute(sa.delete(_TERMS))
        else:
            conn.execute(sa.delete(_FTS))

    def rebuild(self, documents: Iterable[ProductDocument]) -> int:
        """Replace the whole index in one transaction: searches read the old one until it
        commits."""
        def work(conn: sa.Connection) -> int:
            self._clear(conn)
            count = 0
            batch: list[ProductDocument] = []
            for doc in documents:
                batch.append(doc)
                if len(batch) == _BATCH:
                    self._write(conn, batch)
                    count, batch = count + len(batch), []
            self._write(conn, batch)
            # fresh statistics for the planner: a bulk load leaves them far from the truth
            for table in ("search_documents", "search_categories", "search_attributes",
                          "search_name_prefixes"):
                conn.exec_driver_sql(f"ANALYZE {table}")
            return count + len(batch)
        return int(self._run(work))

    # Reads ----------------------------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchResults:
        if any(t.unknown for t in query.terms):
            query = attrs.evolve(query, terms=correct(query.terms, self._similar_terms))
        if query.terms and not self._pg:
            result: SearchResults = self._run(lambda conn: self._search_fts(conn, query))
            return result
        terms = query.terms
        where = self._filters(query)
        score: Any = sa.literal(0.0)
        source: Any = d
        if terms:
            if self._pg:
                q = sa.text(":q ::tsquery").bindparams(q=tsquery(terms))
                where.append(_TSV.op("@@")(q))
                # as float8: a real reads back rounded and would not compare equal to itself
                score = sa.cast(sa.func.ts_rank(_TSV, q), postgresql.DOUBLE_PRECISION)
            else:
                source = d.join(sa.table("search_fts"),
                                sa.literal_column("search_fts.rowid") == d.c.product_id)
                where.append(sa.literal_column("search_fts").op("MATCH")(fts5_query(terms)))
                score = -sa.func.bm25(sa.literal_column("search_fts"), 3.0, 2.0, 1.0)
        score = score.label("score")
        order = self._order(query.sort, score)
        page = (sa.select(d.c.product_id, d.c.name, d.c.description, score, *_KEY_COLUMNS)
                .select_from(source).where(*where, *_after(query, score)).order_by(*order)
                .limit(query.limit).offset(query.offset))
        matched = sa.select(d.c.product_id).select_from(source).where(*where)

        def work(conn: sa.Connection) -> SearchResults:
            rows = conn.execute(page).all()
            hits = [SearchHit(r.product_id, float(r.score or 0),
                              highlights(r.name, r.description, terms) if terms else {},
                              _row_key(query.sort, r)) for r in rows]
            if query.facets and self._pg:
                facets, total = self._facets(conn, source, where)
            elif query.facets:
                facets, total = self._facets_by_ids(conn, matched)
            else:
                facets = None
                total = conn.execute(sa.select(sa.func.count()).select_from(
                    matched.subquery())).scalar_one()
            return SearchResults(hits, int(total), True, facets)
        found: SearchResults = self._run(work)
        return found

    # SQLite text search over a bounded candidate set --------------------------------------
    def _search_fts(self, conn: sa.Connection, query: SearchQuery) -> SearchResults:
        """Up to CANDIDATES filtered matches, newest first, each scored as it is read; when
        there are more, the name/tag matches first (a column filter FTS5 answers from its
        index), topped up with the others. The page (relevance), the facets and the total
        come from the candidates; past the bound the total is estimated from how many
        unfiltered matches the scan passed (``total_is_exact`` false unless no filter is
        given), and a price, rating or newest sort still reads its page from every match."""
        where = self._filters(query, probe=True)
        full = fts5_query(query.terms)
        rows = self._candidates(conn, full, where, CANDIDATES + 1, tier=1)
        if len(rows) <= CANDIDATES:
            candidates, total, exact = rows, len(rows), True
        else:
            names = self._candidates(conn, fts5_query(query.terms, _NAMES), where,
                                     CANDIDATES, tier=0)
            seen = {r.product_id for r in names}
            candidates = names + [r for r in rows if r.product_id not in seen]
            candidates = candidates[:CANDIDATES]
            total, exact = self._estimate(conn, full, rows[CANDIDATES - 1].product_id,
                                          bool(where))
        if exact or query.sort is SearchSort.RELEVANCE:
            keyed = sorted(((_candidate_key(query.sort, r), r) for r in candidates),
                           key=lambda kr: kr[0])
            start = (query.offset if query.after is None else
                     bisect.bisect_right([k for k, _ in keyed], query.after))
            chosen = [(r.product_id, r.score, k)
                      for k, r in keyed[start:start + query.limit]]
        else:
            chosen = self._page_of_all(conn, query, full, where)
        texts = {r.product_id: r for r in conn.execute(
            sa.select(d.c.product_id, d.c.name, d.c.description)
            .where(d.c.product_id.in_([pid for pid, _, _ in chosen])))}
        hits = [SearchHit(pid, score, highlights(texts[pid].name, texts[pid].description,
                                                 query.terms), key)
                for pid, score, key in chosen]
        facets = self._candidate_facets(conn, candidates) if query.facets else None
        return SearchResults(hits, total, exact, facets)

    @staticmethod
    def _candidates(conn: sa.Connection, match: str, where: list[Any], limit: int,
                    tier: int) -> list[Any]:
        fts: Any = sa.literal_column("search_fts")
        statement = (
            # numbers and times as stored (REAL, ISO text): they only order and bucket
            sa.select(d.c.product_id, (-sa.func.bm25(fts, 3.0, 2.0, 1.0)).label("score"),
                      sa.literal(tier).label("tier"), sa.type_coerce(d.c.min_price, sa.Float),
                      sa.type_coerce(d.c.rating, sa.Float), d.c.price_bucket,
                      d.c.review_count, sa.type_coerce(d.c.created_at, sa.String))
            .select_from(d.join(sa.table("search_fts"),
                                sa.literal_column("search_fts.rowid") == d.c.product_id))
            .where(fts.op("MATCH")(match), *where)
            .order_by(sa.literal_column("search_fts.rowid").desc()).limit(limit))
        return list(conn.execute(statement).all())

    @staticmethod
    def _estimate(conn: sa.Connection, match: str, last_id: int, filtered: bool
                  ) -> tuple[int, bool]:
        """The total past the bound: every match when no filter is given (FTS5 counts
        without reading a row), else CANDIDATES scaled by the share of unfiltered matches
        the newest-first scan had passed when it found them."""
        count = "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?"
        everything = int(conn.exec_driver_sql(count, (match,)).scalar_one())
        if not filtered:
            return everything, True
        passed = int(conn.exec_driver_sql(count + " AND rowid >= ?",
                                          (match, last_id)).scalar_one())
        return max(CANDIDATES, round(CANDIDATES * everything / max(passed, 1))), False

    def _page_of_all(self, conn: sa.Connection, query: SearchQuery, match: str,
                     where: list[Any]) -> list[tuple[int, float, tuple[Any, ...]]]:
        """A price, rating or newest page over every match (its key is the statement
        path's: these sorts never use the candidates' keys past the bound)."""
        fts: Any = sa.literal_column("search_fts")
        score = (-sa.func.bm25(fts, 3.0, 2.0, 1.0)).label("score")
        statement = (
            sa.select(d.c.product_id, score, *_KEY_COLUMNS)
            .select_from(d.join(sa.table("search_fts"),
                                sa.literal_column("search_fts.rowid") == d.c.product_id))
            .where(fts.op("MATCH")(match), *where, *_after(query, score))
            .order_by(*self._order(query.sort, score))
            .limit(query.limit).offset(query.offset))
        return [(r.product_id, float(r.score), _row_key(query.sort, r))
                for r in conn.execute(statement)]

    @staticmethod
    def _candidate_facets(conn: sa.Connection, candidates: Sequence[Any]) -> Facets:
        """Facets of the candidates: prices and ratings from their rows, categories and
        attributes in one grouped read of the side tables (the ids as one JSON array)."""
        by_bucket: Counter[int] = Counter(r.price_bucket for r in candidates)
        ratings = {n: sum(r.rating >= n for r in candidates) for n in RATING_STEPS}
        ids: Any = sa.select(sa.literal_column("value")).select_from(
            sa.func.json_each(json.dumps([r.product_id for r in candidates])))
        text = sa.String()
        cats = sa.select(sa.literal("c", text), sa.cast(c.c.category_id, text),
                         sa.literal("", text), sa.func.count()
                         ).where(c.c.product_id.in_(ids)).group_by(c.c.category_id)
        pairs = sa.select(sa.literal("a", text), a.c.key, a.c.value, sa.func.count()
                          ).where(a.c.product_id.in_(ids)).group_by(a.c.key, a.c.value)
        categories: dict[int, int] = {}
        attributes: dict[str, dict[str, int]] = defaultdict(dict)
        for kind, key, value, n in conn.execute(sa.union_all(cats, pairs)):
            if kind == "c":
                categories[int(key)] = int(n)
            else:
                attributes[str(key)][str(value)] = int(n)
        return Facets(top(categories), {k: top(v) for k, v in sorted(attributes.items())},
                      buckets(by_bucket), ratings)

    def _filters(self, q: SearchQuery, probe: bool = False) -> list[Any]:
        """The query's filters. ``probe``: SQLite rows read one by one from FTS5 check their
        category and attributes by a primary-key probe each, instead of listing every
        product of the category first."""
        where: list[Any] = []
        if q.category_id is not None and probe:
            where.append(sa.exists().where(c.c.product_id == d.c.product_id,
                                           c.c.category_id == q.category_id))
        elif q.category_id is not None:
            where.append(_CATEGORY_IDS.contains([q.category_id]) if self._pg else
                         d.c.product_id.in_(sa.select(c.c.product_id).where(
                             c.c.category_id == q.category_id)))
        if q.min_price is not None:
            where.append(d.c.min_price >= q.min_price)
        if q.max_price is not None:
            where.append(d.c.min_price <= q.max_price)
        if q.rating_min is not None:
            where.append(d.c.rating >= q.rating_min)
        if q.in_stock is not None:
            where.append(d.c.in_stock.is_(q.in_stock))
        if q.seller_id is not None:
            where.append(d.c.seller_id == q.seller_id)
        pairs = q.folded_attributes
        if pairs and self._pg:
            where.append(_ATTRIBUTE_PAIRS.contains(
                [f"{k}={v}" for k, v in pairs.items()]))
        elif pairs and probe:
            where += [sa.exists().where(a.c.product_id == d.c.product_id, a.c.key == key,
                                        a.c.value == value) for key, value in pairs.items()]
        elif pairs:
            where += [d.c.product_id.in_(sa.select(a.c.product_id).where(
                a.c.key == key, a.c.value == value)) for key, value in pairs.items()]
        return where

    @staticmethod
    def _order(sort: SearchSort, score: Any) -> list[Any]:
        newest = [d.c.created_at.desc(), d.c.product_id.desc()]
        first = {SearchSort.RELEVANCE: [score.desc()],
                 SearchSort.PRICE_ASC: [d.c.min_price.asc()],
                 SearchSort.PRICE_DESC: [d.c.min_price.desc()],
                 SearchSort.RATING: [d.c.rating.desc(), d.c.review_count.desc()],
                 SearchSort.NEWEST: []}[sort]
        return first + newest

    def _facets(self, conn: sa.Connection, source: Any, where: list[Any]
                ) -> tuple[Facets, int]:
        """PostgreSQL: facets and the total over every match, in one statement: the matches
        once (a materialised CTE), then grouped by price bucket (with the rating steps),
        category and attribute (unnesting the row's arrays)."""
        pg = self._pg
        extra = [_CATEGORY_IDS.label("category_ids"),
                 _ATTRIBUTE_PAIRS.label("attribute_pairs")] if pg else []
        m = (sa.select(d.c.product_id, d.c.price_bucket, d.c.rating, *extra)
             .select_from(source).where(*where).cte("m").prefix_with("MATERIALIZED"))
        steps = [sa.func.sum(sa.case((m.c.rating >= n, 1), else_=0)) for n in RATING_STEPS]
        none = [sa.literal(0)] * len(RATING_STEPS)
        text = sa.String()
        prices = sa.select(sa.literal("p", text), sa.cast(m.c.price_bucket, text),
                           sa.literal("", text), sa.func.count(), *steps
                           ).group_by(m.c.price_bucket)
        if pg:
            cat = sa.func.unnest(m.c.category_ids).table_valued("x").render_derived()
            pair = sa.func.unnest(m.c.attribute_pairs).table_valued("x").render_derived()
            cats = sa.select(sa.literal("c", text), sa.cast(cat.c.x, text),
                             sa.literal("", text), sa.func.count(), *none
                             ).select_from(m.join(cat, sa.true())).group_by(cat.c.x)
            attrs_ = sa.select(sa.literal("a", text), pair.c.x, sa.literal("", text),
                               sa.func.count(), *none
                               ).select_from(m.join(pair, sa.true())).group_by(pair.c.x)
        else:
            cats = sa.select(sa.literal("c", text), sa.cast(c.c.category_id, text),
                             sa.literal("", text), sa.func.count(), *none
                             ).select_from(m.join(c, c.c.product_id == m.c.product_id)
                                           ).group_by(c.c.category_id)
            attrs_ = sa.select(sa.literal("a", text), a.c.key, a.c.value, sa.func.count(),
                               *none).select_from(m.join(a, a.c.product_id == m.c.product_id)
                                                  ).group_by(a.c.key, a.c.value)
        by_bucket: dict[int, int] = {}
        ratings = dict.fromkeys(RATING_STEPS, 0)
        categories: dict[int, int] = {}
        attributes: dict[str, dict[str, int]] = defaultdict(dict)
        row: Any
        for row in conn.execute(sa.union_all(prices, cats, attrs_)):
            kind, key, value, n = str(row[0]), str(row[1]), str(row[2]), int(row[3])
            rated: list[Any] = list(row[4:])
            if kind == "p":
                by_bucket[int(key)] = n
                for step, count in zip(RATING_STEPS, rated, strict=True):
                    ratings[step] += int(count or 0)
            elif kind == "c":
                categories[int(key)] = n
            else:
                if pg:
                    key, _, value = key.partition("=")
                attributes[key][value] = n
        facets = Facets(top(categories), {k: top(v) for k, v in sorted(attributes.items())},
                        buckets(by_bucket), ratings)
        return facets, sum(by_bucket.values())

    def _facets_by_ids(self, conn: sa.Connection, matched: Any) -> tuple[Facets, int]:
        """SQLite: facets and the total in three grouped reads of the matched ids (each
        ``IN`` its own evaluation of the match: SQLite plans a join of the side tables to a
        materialised CTE of the matches far worse)."""
        ids = matched.subquery()
        steps = [sa.func.sum(sa.case((d.c.rating >= n, 1), else_=0)).label(f"r{n}")
                 for n in RATING_STEPS]
        by_bucket = conn.execute(
            sa.select(d.c.price_bucket, sa.func.count().label("n"), *steps)
            .where(d.c.product_id.in_(sa.select(ids.c.product_id)))
            .group_by(d.c.price_bucket)).all()
        total = sum(r.n for r in by_bucket)
        ratings = {n: int(sum(getattr(r, f"r{n}") or 0 for r in by_bucket))
                   for n in RATING_STEPS}
        categories = conn.execute(
            sa.select(c.c.category_id, sa.func.count().label("n"))
            .where(c.c.product_id.in_(sa.select(ids.c.product_id)))
            .group_by(c.c.category_id).order_by(sa.desc("n"), c.c.category_id)
            .limit(20)).all()
        attributes: dict[str, dict[str, int]] = defaultdict(dict)
        for r in conn.execute(
                sa.select(a.c.key, a.c.value, sa.func.count().label("n"))
                .where(a.c.product_id.in_(sa.select(ids.c.product_id)))
                .group_by(a.c.key, a.c.value)):
            attributes[r.key][r.value] = r.n
        facets = Facets({r.category_id: r.n for r in categories},
                        {k: top(v) for k, v in sorted(attributes.items())},
                        buckets({r.price_bucket: r.n for r in by_bucket}), ratings)
        return facets, total

    def suggest(self, prefix: str, limit: int = 10) -> Sequence[str]:
        """Walks ``search_name_prefixes`` for the last word's first letters in review order
        and keeps the names whose terms match every word: the first ``limit`` distinct
        names end the walk, so a common prefix costs no more than a rare one."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        terms = SearchQuery(text=prefix).terms
        if not terms or len(terms[-1].alternatives[0]) < 2:
            return []
        last = terms[-1].alternatives[0]
        spaced = sa.literal(" ") + np.c.terms + sa.literal(" ")
        match = [spaced.like(f"% {t.alternatives[0]}{'' if t.prefix else ' '}%")
                 for t in terms if t.prefix is False or len(t.alternatives[0]) > 3]
        found = (sa.select(np.c.name).where(np.c.prefix == last[:3], *match)
                 .order_by(np.c.review_count.desc(), np.c.name).limit(limit * 5))
        rows = self._run(lambda conn: [r.name for r in conn.execute(found)])
        names = list(dict.fromkeys(rows))[:limit]
        if not names and self._pg and len(prefix.strip()) >= 4:
            names = self._similar_names(prefix.strip().lower(), limit)
        return names

    def _similar_names(self, prefix: str, limit: int) -> list[str]:
        """A mistyped prefix: names whose start is most like it (pg_trgm)."""
        similarity = sa.func.word_similarity(prefix, sa.func.lower(d.c.name))
        found = (sa.select(d.c.name, sa.func.max(similarity).label("s"))
                 .where(sa.func.lower(d.c.name).op("%>")(prefix))
                 .group_by(d.c.name).order_by(sa.desc("s"), d.c.name).limit(limit))
        return list(self._run(lambda conn: [r.name for r in conn.execute(found)]))

    def _similar_terms(self, words: Sequence[str]) -> dict[str, list[str]]:
        """Terms of the live vocabulary that may be a few edits from each word: pg_trgm
        similarity on ``search_terms`` (the threshold lowered: a swap of two letters in a
        short word shares few trigrams), or on SQLite the FTS5 vocabulary's terms starting
        with the word's first or second letter, of a length within two (bounded reads)."""
        if self._pg:
            statement = sa.text(
                "SELECT w, t.term FROM unnest(CAST(:words AS text[])) AS w "
                "CROSS JOIN LATERAL (SELECT term FROM search_terms WHERE term % w "
                "ORDER BY similarity(term, w) DESC LIMIT 20) AS t")

            def read(conn: sa.Connection) -> list[Any]:
                conn.exec_driver_sql("SET LOCAL pg_trgm.similarity_threshold = 0.15")
                return list(conn.execute(statement, {"words": list(words)}))
        else:
            statement = sa.text(
                "SELECT :w, term FROM search_vocab WHERE ((term >= :a AND term < :a2) "
                "OR (term >= :b AND term < :b2)) AND length(term) BETWEEN :lo AND :hi LIMIT 500")

            def read(conn: sa.Connection) -> list[Any]:
                return [r for w in words for r in conn.execute(statement, {
                    "w": w, "a": w[0], "a2": w[0] + "\U0010ffff", "b": w[1],
                    "b2": w[1] + "\U0010ffff", "lo": len(w) - 2, "hi": len(w) + 2})]
        found: dict[str, list[str]] = defaultdict(list)
        for word, term in self._run(read):
            found[str(word)].append(str(term))
        return found

    def terms(self) -> Mapping[str, int]:
        statement = ("SELECT word, ndoc FROM ts_stat('SELECT tsv FROM search_documents')"
                     if self._pg else "SELECT term, doc FROM search_vocab")
        rows = self._run(lambda conn: conn.exec_driver_sql(statement).all())
        return {str(r[0]): int(r[1]) for r in rows}

    def state(self) -> IndexState:
        count = self._run(lambda conn: conn.execute(
            sa.select(sa.func.count()).select_from(d)).scalar_one())
        kind = "postgresql tsvector" if self._pg else "sqlite fts5"
        return IndexState(kind, int(count), "search_documents in the database")

    def _run(self, work: Any) -> Any:
        try:
            with self._db.primary.begin() as conn:
                return work(conn)
        except sa.exc.DBAPIError as ex:
            raise (translate(ex) or ex) from ex

