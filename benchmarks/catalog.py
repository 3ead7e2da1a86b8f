"""Catalog listings at 100,000 products: a category page, a price range in stock, a deep page,
each also sorted by rating.

    python benchmarks/catalog.py [--products 100000] [--reads 200]
                                 [--backends sqlite,postgres,mongo] [--mongo-products 1000]
                                 [--json]

For each backend it seeds ``--products`` products (one or two variants each, 100
categories under 10 roots, nine in ten in stock, an image each) through the library's bulk
import, ``shop.catalog.import_products``, and prints how fast that went. Then, in process,
one ``shop.catalog.list_products`` call at a time, it times ``--reads`` calls of each:

- category: 20 newest of a random root category (its 9 sub-categories included), pages 1-3;
- price+stock: a random price range (50-200 wide) with ``in_stock=True``, newest and
  cheapest first in turn;
- deep (cursor): page 2000 (entries 39,981-40,000) by the cursor page 1999 gave, newest
  and cheapest first in turn; beside it, the same page by ``page=2000`` (OFFSET);
- category by rating: the category page (pages 1-3) best rated first, every other call
  with ``in_stock=True``;
- deep by rating (cursor): page 2000 best rated first, by the cursor that page 1999 (read
  by OFFSET) gave.

On the SQL backends seven products in ten are given a rating (1.00-5.00, spread by id, with
a review count) after the import, as reviews would leave them; the rest stay unrated and
come last in a rating sort.

It prints p50 and p95 in milliseconds; the goal is p95 under 50 ms. Events go to a
publisher that drops them (no search index is fed: the figures are the catalog's own). On
PostgreSQL it runs ANALYZE after the import, as autovacuum would within a minute: the
planner's statistics pick the listing indexes and give the estimated counts.

MongoDB (the catalog part beside a SQLite database): ``COMMERCE_BENCH_MONGO_URL`` (default
``COMMERCE_TEST_MONGO_URL``), database ``catalog_listing_bench``, dropped first and after;
seeded with ``--mongo-products`` only (the stand-in server writes slowly), so its deep page
is the last full page instead of page 2000. PostgreSQL: ``COMMERCE_BENCH_POSTGRES_URL`` (see
checkout.py), its commerce tables emptied first.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from checkout import machine, postgres_url

from commerce_adapters import connect
from commerce_adapters.sql.database import normalize_url
from commerce_core.accounts.policy import Actor
from commerce_core.catalog.imports import NewProduct
from commerce_core.catalog.service import VariantSpec
from commerce_core.events import DomainEvent
from commerce_core.facade import Commerce

ADMIN = Actor.admin(1)
ROOTS, CHILDREN = 10, 9
DEEP_PAGE, LIMIT = 2000, 20


class DroppedEvents:
    """A publisher that takes every event and keeps none."""

    def publish(self, events: Sequence[DomainEvent]) -> None:
        pass


def _categories(shop: Commerce) -> dict[int, list[int]]:
    """Root category id -> its sub-category ids."""
    tree: dict[int, list[int]] = {}
    for r in range(ROOTS):
        root = shop.catalog.create_category(ADMIN, f"Department {r}")
        tree[root.id] = [shop.catalog.create_category(ADMIN, f"Aisle {r}.{c}", root.id).id
                         for c in range(CHILDREN)]
    return tree


def _rows(count: int, leaves: list[int]) -> Iterator[NewProduct]:
    rng = random.Random(42)
    for n in range(count):
        variants = [VariantSpec(f"SKU-{n}-{k}", Decimal(rng.randrange(100, 100_000)) / 100,
                                {"size": str(k)} if k else {}, 200,
                                stock=0 if rng.random() < 0.1 else rng.randrange(1, 50))
                    for k in range(1 + (n % 3 == 0))]
        yield NewProduct(f"Product {n} lamp", rng.choice(leaves), variants,
                         description=f"A fine thing, number {n}",
                         attributes={"colour": rng.choice(["red", "blue", "black"])},
                         images=[f"https://img.example/{n}.jpg"], tags=["lamp"],
                         seller_id=1000 + n % 50)


def _seed(shop: Commerce, count: int) -> tuple[dict[int, list[int]], float]:
    tree = _categories(shop)
    leaves = [c for children in tree.values() for c in children]
    started = time.perf_counter()
    last = [0.0]

    def progress(done: int, made: int) -> None:
        if time.perf_counter() - last[0] > 5:
            last[0] = time.perf_counter()
            print(f"  imported {made:,} of {count:,}", file=sys.stderr, flush=True)
    result = shop.catalog.import_products(ADMIN, _rows(count, leaves), batch_size=1000,
                                          progress=progress)
    seconds = time.perf_counter() - started
    if result.refused:
        raise SystemExit(f"the import refused {len(result.refused)} rows: "
                         f"{result.refused[0].error}")
    return tree, count / seconds


def _timed(calls: int, call: Callable[[int], Any]) -> dict[str, float]:
    times = []
    for n in range(calls):
        started = time.perf_counter()
        call(n)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 2)}


# seven in ten rated, 1.00-5.00 in steps of 0.01, spread by id; the others stay unrated
_RATE = ("UPDATE products SET rating = 1 + (id % 401) / 100.0, review_count = 1 + id % 37 "
         "WHERE id % 10 >= 3")


def _rate(url: str) -> None:
    """Ratings as reviews leave them on products (the review flow is not what is measured)."""
    engine = sa.create_engine(normalize_url(url))
    with engine.begin() as conn:
        conn.execute(sa.text(_RATE))  # text(): its "%" escaped for psycopg
    engine.dispose()


def _cursor_to(shop: Commerce, page: int, sort: str) -> str:
    """The cursor that opens ``page`` of the whole catalog, walked to by cursor."""
    cursor = None
    for _ in range(page - 1):
        cursor = shop.catalog.list_products(sort=sort, limit=LIMIT, cursor=cursor).next_cursor
        if cursor is None:
            raise SystemExit(f"the catalog has fewer than {page} pages")
    assert cursor is not None
    return cursor


def _measure(shop: Commerce, tree: dict[int, list[int]], reads: int,
             deep: int) -> dict[str, Any]:
    rng = random.Random(7)
    roots = list(tree)
    sorts = ("newest", "price_asc")

    def category(n: int) -> None:
        shop.catalog.list_products(category_id=rng.choice(roots), page=1 + n % 3, limit=LIMIT)

    def price_stock(n: int) -> None:
        low = Decimal(rng.randrange(1, 800))
        shop.catalog.list_products(min_price=low, max_price=low + rng.randrange(50, 200),
                                   in_stock=True, sort=sorts[n % 2], limit=LIMIT)

    def category_rating(n: int) -> None:
        shop.catalog.list_products(category_id=rng.choice(roots), page=1 + n % 3, limit=LIMIT,
                                   in_stock=True if n % 2 else None, sort="rating")

    cursors = {s: _cursor_to(shop, deep, s) for s in sorts}
    first = shop.catalog.list_products(limit=LIMIT, cursor=cursors["newest"])
    offset = shop.catalog.list_products(limit=LIMIT, page=deep)
    assert [s.product_id for s in first.items] == [s.product_id for s in offset.items]
    rated = shop.catalog.list_products(limit=LIMIT, page=deep - 1, sort="rating").next_cursor
    assert rated is not None
    by_cursor = shop.catalog.list_products(limit=LIMIT, cursor=rated, sort="rating")
    by_offset = shop.catalog.list_products(limit=LIMIT, page=deep, sort="rating")
    assert [s.product_id for s in by_cursor.items] == [s.product_id for s in by_offset.items]
    return {
        "category": _timed(reads, category),
        "price_in_stock": _timed(reads, price_stock),
        "deep_cursor": _timed(reads, lambda n: shop.catalog.list_products(
            sort=sorts[n % 2], limit=LIMIT, cursor=cursors[sorts[n % 2]])),
        "deep_offset": _timed(reads, lambda n: shop.catalog.list_products(
            sort=sorts[n % 2], limit=LIMIT, page=deep)),
        "category_rating": _timed(reads, category_rating),
        "deep_cursor_rating": _timed(reads, lambda n: shop.catalog.list_products(
            sort="rating", limit=LIMIT, cursor=rated)),
        "deep_page": deep,
        "total_count_shown": first.total_count, "total_exact": first.total_exact,
    }


def _analyze(url: str) -> None:
    """What PostgreSQL's autovacuum does within a minute of a bulk load: fresh planner
    statistics (and so fresh count estimates)."""
    engine = sa.create_engine(normalize_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def _run(name: str, shop: Commerce, products: int, reads: int, url: str | None = None,
         analyze: str | None = None) -> dict[str, Any]:
    print(f"{name}: importing {products:,} products", file=sys.stderr, flush=True)
    tree, rate = _seed(shop, products)
    if url is not None:
        _rate(url)
    if analyze:
        _analyze(analyze)
    deep = min(DEEP_PAGE, products // LIMIT)
    figures = _measure(shop, tree, reads, deep)
    return {"backend": name, "products": products, "import_per_s": round(rate), **figures}


def _mongo_shop(folder: Path) -> tuple[Commerce, Callable[[], None]] | None:
    url = os.environ.get("COMMERCE_BENCH_MONGO_URL") or os.environ.get(
        "COMMERCE_TEST_MONGO_URL")
    if not url:
        print("mongo: COMMERCE_BENCH_MONGO_URL is not set; left out", file=sys.stderr)
        return None
    import pymongo  # noqa: PLC0415 - only with MongoDB

    client: pymongo.MongoClient[Any] = pymongo.MongoClient(url)
    client.drop_database("catalog_listing_bench")
    shop = connect(f"sqlite:///{folder / 'mongo-stock.db'}",
                   catalog_url=url.rstrip("/") + "/catalog_listing_bench",
                   publisher=DroppedEvents(), secret_key="x" * 40)
    return shop, lambda: client.drop_database("catalog_listing_bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--mongo-products", type=int, default=1000)
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="catalog-bench-") as tmp:
        folder = Path(tmp)
        for name in args.backends.split(","):
            if name == "mongo":
                opened = _mongo_shop(folder)
                if opened is None:
                    continue
                shop, drop = opened
                try:
                    results.append(_run(name, shop, args.mongo_products, args.reads))
                finally:
                    drop()
                continue
            url = (f"sqlite:///{folder / 'catalog.db'}" if name == "sqlite"
                   else postgres_url())
            shop = connect(url, publisher=DroppedEvents(), secret_key="x" * 40)
            results.append(_run(name, shop, args.products, args.reads, url,
                                analyze=url if name == "postgres" else None))
    if args.json:
        print(json.dumps({"machine": machine(), "results": results}, indent=2))
        return
    print(f"machine: {machine()}")
    print(f"{'backend':<9}{'products':>9}{'import/s':>10}  {'p50 / p95 ms':>14}"
          f"{'category':>16}{'price+stock':>16}{'deep cursor':>16}{'deep offset':>16}"
          f"{'cat. rating':>16}{'deep rating':>16}")
    for r in results:
        cells = "".join(f"{r[k]['p50_ms']:>7.1f} /{r[k]['p95_ms']:>6.1f} "
                        for k in ("category", "price_in_stock", "deep_cursor", "deep_offset",
                                  "category_rating", "deep_cursor_rating"))
        print(f"{r['backend']:<9}{r['products']:>9,}{r['import_per_s']:>10,}  {'':>14}{cells}"
              f"  (deep page {r['deep_page']})")


if __name__ == "__main__":
    main()
