"""Search latency and indexing throughput over a generated catalog, per backend.

    .venv/bin/python benchmarks/search.py [--backends sqlite,postgres,elasticsearch,memory]
                                          [--products 100000] [--searches 300] [--json]

For each backend: a full rebuild of the index from generated documents (products/s); then
p50/p95 of searches with text + filters + facets (the way the search service asks: terms
planned against the index's vocabulary, read once beforehand), of suggestions for 2-5
letter prefixes, and, on SQL, of the old way in the same run and database (every word as
``LIKE '%word%'`` over the lower-cased text, the filters, a count: what ``/products?search=``
did before this index), with the ratio. Also: how long reading the vocabulary takes.

PostgreSQL: ``COMMERCE_BENCH_POSTGRES_URL`` (default: the ``test_search`` database; its
search tables are emptied first). Elasticsearch: ``COMMERCE_BENCH_ELASTICSEARCH_URL`` or
``COMMERCE_TEST_ELASTICSEARCH_URL`` (a fresh alias, dropped after).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from commerce_adapters.memory.search import MemorySearchIndex
from commerce_adapters.sql import migrate
from commerce_adapters.sql.database import Database
from commerce_adapters.sql.search import SqlSearchIndex
from commerce_core.search.ports import ProductDocument, SearchQuery
from commerce_core.search.text import Vocabulary, plan

ADJECTIVES = (
    'red', 'blue', 'green', 'black', 'white', 'silver', 'golden', 'wooden', 'steel', 'leather',
    'cotton', 'wool', 'wireless', 'portable', 'compact', 'deluxe', 'classic', 'modern',
    'vintage', 'organic', 'smart', 'waterproof', 'lightweight', 'heavy', 'ergonomic', 'foldable'
)
NOUNS = (
    'lamp', 'kettle', 'bike', 'helmet', 'shoe', 'boot', 'jacket', 'sweater', 'phone', 'case',
    'charger', 'cable', 'speaker', 'headphone', 'earbud', 'keyboard', 'mouse', 'monitor',
    'laptop', 'camera', 'tripod', 'tent', 'backpack', 'bottle', 'mug', 'pan', 'knife', 'board',
    'blender', 'toaster', 'vacuum', 'pillow', 'candle', 'watch', 'strap', 'puzzle', 'game',
    'bear', 'book', 'novel', 'hose', 'mower', 'shears', 'chair', 'table', 'desk', 'sofa', 'rug',
    'curtain', 'mirror', 'clock', 'radio', 'drone', 'scooter', 'skateboard', 'ball', 'racket'
)
EXTRAS = ("for kids", "with case", "set of two", "pro", "mini", "max", "plus", "for travel",
          "for home", "for office", "for camping", "for cycling", "for running")
WORDS = (
    'durable', 'comfortable', 'bright', 'quiet', 'fast', 'rechargeable', 'battery', 'premium',
    'quality', 'soft', 'warm', 'cool', 'easy', 'clean', 'gift', 'everyday', 'outdoor', 'indoor',
    'kitchen', 'garden', 'sport', 'travel', 'design', 'handmade', 'recycled'
)
BRANDS = [f"brand{i}" for i in range(40)]
COLORS = ["red", "blue", "green", "black", "white", "silver", "gold", "pink"]
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def categories() -> dict[int, frozenset[int]]:
    """60 leaf categories under 10 roots: each leaf's ancestry."""
    return {leaf: frozenset({leaf, 1000 + leaf % 10}) for leaf in range(1, 61)}


def documents(count: int, seed: int = 7) -> Iterator[ProductDocument]:
    rng = random.Random(seed)
    cats = categories()
    for i in range(1, count + 1):
        noun = rng.choice(NOUNS)
        name = f"{rng.choice(ADJECTIVES)} {rng.choice(ADJECTIVES)} {noun}"
        if rng.random() < 0.3:
            name += f" {rng.choice(EXTRAS)}"
        description = " ".join(rng.choice(WORDS) for _ in range(12)) + f" {noun}"
        leaf = rng.randrange(1, 61)
        yield ProductDocument(
            product_id=i, name=name.capitalize(), description=description,
            category_ids=cats[leaf], seller_id=rng.randrange(1, 200),
            min_price=Decimal(round(rng.lognormvariate(3.5, 1.0), 2)), currency="USD",
            rating=Decimal(str(round(rng.uniform(1, 5), 1))), review_count=rng.randrange(500),
            in_stock=rng.random() < 0.8, created_at=T0 + timedelta(minutes=i),
            tags=(noun, rng.choice(WORDS)),
            attributes={"brand": rng.choice(BRANDS), "color": rng.choice(COLORS)})


def queries(count: int, seed: int = 11) -> list[SearchQuery]:
    """Text (one or two words, a typo in one of five, a prefix in one of five) with a
    category or a price range, and facets."""
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        words = [rng.choice(NOUNS)] + ([rng.choice(ADJECTIVES)] if rng.random() < 0.5 else [])
        roll = rng.random()
        if roll < 0.2 and len(words[0]) > 4:  # a typo: two letters swapped
            w = words[0]
            words[0] = w[0] + w[2] + w[1] + w[3:]
        elif roll < 0.4:
            words[-1] = words[-1][:max(3, len(words[-1]) - 2)]  # still typing
        filters: dict[str, Any] = {}
        if rng.random() < 0.5:
            filters["category_id"] = 1000 + rng.randrange(10)
        else:
            filters["max_price"] = Decimal(rng.choice((25, 50, 100)))
        if rng.random() < 0.5:
            filters["in_stock"] = True
        found.append(SearchQuery(text=" ".join(words), facets=True, **filters))
    return found


def prefixes(count: int, seed: int = 13) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(NOUNS + ADJECTIVES)[:rng.randrange(2, 6)] for _ in range(count)]


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000


def timed(calls: list[Callable[[], object]]) -> tuple[float, float]:
    for call in calls[:10]:  # warm caches and prepared plans
        call()
    samples = []
    for call in calls:
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return percentiles(samples)


def like_baseline(db: Database, q: SearchQuery) -> Callable[[], object]:
    """The listing's search before this index: each word as a substring of the lower-cased
    text, the filters, a count and a page (what one /products?search= request ran)."""
    d = sa.table("search_documents", sa.column("product_id"), sa.column("name"),
                 sa.column("description"), sa.column("min_price"), sa.column("in_stock"),
                 sa.column("created_at"))
    text = sa.func.lower(d.c.name + " " + d.c.description)
    where: list[Any] = [text.like(f"%{w}%") for w in q.text.lower().split()]
    if q.max_price is not None:
        where.append(d.c.min_price <= q.max_price)
    if q.in_stock:
        where.append(d.c.in_stock.is_(True))
    if q.category_id is not None:
        where.append(d.c.product_id.in_(sa.text(
            f"SELECT product_id FROM search_categories WHERE category_id = {q.category_id}")))

    def run() -> object:
        with db.primary.connect() as conn:
            conn.execute(sa.select(sa.func.count()).select_from(d).where(*where)).scalar()
            return conn.execute(sa.select(d.c.product_id).where(*where)
                                .order_by(d.c.created_at.desc()).limit(20)).all()
    return run


def open_backend(name: str) -> tuple[Any, Database | None, Callable[[], None]]:
    if name == "memory":
        return MemorySearchIndex(), None, lambda: None
    if name == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="search-bench-"))
        url = f"sqlite:///{folder / 'bench.db'}"
        migrate.upgrade(url)
        db = Database(url)
        return SqlSearchIndex(db), db, lambda: shutil.rmtree(folder, ignore_errors=True)
    if name == "postgres":
        url = os.environ.get("COMMERCE_BENCH_POSTGRES_URL",
                             "postgresql://postgres@127.0.0.1:5432/test_search")
        migrate.upgrade(url)
        db = Database(url)
        return SqlSearchIndex(db), db, db.dispose
    if name == "elasticsearch":
        from commerce_adapters.elasticsearch.search import open_index  # noqa: PLC0415

        base = (os.environ.get("COMMERCE_BENCH_ELASTICSEARCH_URL")
                or os.environ.get("COMMERCE_TEST_ELASTICSEARCH_URL"))
        if not base:
            raise SystemExit("elasticsearch: set COMMERCE_BENCH_ELASTICSEARCH_URL")
        index = open_index(f"{base}/search-bench-{uuid.uuid4().hex[:8]}")
        return index, None, index.drop
    raise SystemExit(f"unknown backend {name!r}")


def bench(name: str, products: int, searches: int) -> dict[str, Any]:
    index, db, close = open_backend(name)
    try:
        index.clear()
        start = time.perf_counter()
        indexed = index.rebuild(documents(products))
        index.refresh()
        rebuild = time.perf_counter() - start
        start = time.perf_counter()
        vocabulary = Vocabulary(index.terms())
        vocabulary_s = time.perf_counter() - start
        planned = [SearchQuery(text=q.text, category_id=q.category_id, max_price=q.max_price,
                               in_stock=q.in_stock, facets=True,
                               terms=plan(q.text, vocabulary)) for q in queries(searches)]
        hits = [index.search(q).total for q in planned[:20]]
        search = timed([functools.partial(index.search, q) for q in planned])
        suggest = timed([functools.partial(index.suggest, p) for p in prefixes(searches)])
        row: dict[str, Any] = {
            "backend": name, "products": indexed, "rebuild_per_s": indexed / rebuild,
            "vocabulary_s": vocabulary_s, "terms": len(vocabulary.frequency),
            "search_p50_ms": search[0], "search_p95_ms": search[1],
            "suggest_p50_ms": suggest[0], "suggest_p95_ms": suggest[1],
            "median_matches": statistics.median(hits)}
        if db is not None:
            baseline = timed([like_baseline(db, q) for q in queries(max(30, searches // 5))])
            row |= {"like_p50_ms": baseline[0], "like_p95_ms": baseline[1],
                    "like_over_index_p95": baseline[1] / search[1]}
        return row
    finally:
        close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgres,elasticsearch")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="print JSON, for scripts")
    args = parser.parse_args()
    rows = [bench(b, args.products, args.searches) for b in args.backends.split(",")]
    if args.json:
        print(json.dumps({"machine": machine(), "rows": rows}, indent=2))
        return
    print(f"# search ({machine()}, {args.products:,} products, {args.searches} searches)\n")
    print("| backend | rebuild products/s | vocabulary read s | search p50 ms | search p95 ms "
          "| suggest p50 ms | suggest p95 ms | LIKE p95 ms | LIKE / index p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        like = f"{r['like_p95_ms']:.1f} | {r['like_over_index_p95']:.1f}x" \
            if "like_p95_ms" in r else "n/a | n/a"
        print(f"| {r['backend']} | {r['rebuild_per_s']:,.0f} | {r['vocabulary_s']:.2f} | "
              f"{r['search_p50_ms']:.1f} | {r['search_p95_ms']:.1f} | "
              f"{r['suggest_p50_ms']:.1f} | {r['suggest_p95_ms']:.1f} | {like} |")


def machine() -> str:
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}")


if __name__ == "__main__":
    main()
