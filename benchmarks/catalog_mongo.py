"""Catalog reads at scale: the catalog on MongoDB beside the same catalog in SQL.

    python benchmarks/catalog_mongo.py [--products 100000] [--reads 300]
                                       [--backends sqlite,postgres] [--sql-only] [--json]

For each SQL backend it loads ``--products`` products (one or two variants each, two
attributes, 100 categories, nine in ten in stock) twice in the same run: into the SQL
catalog, and into MongoDB as the catalog beside that same database (which keeps the stock
rows both shops read). Loading goes straight through the drivers, in the adapters' own row
and document shapes (not timed). Then, through the SDK (``shop.catalog``), one call at a time,
it times ``--reads`` calls of each: product detail (the product and its stock), a category
listing sorted by price (pages 1 to 5), the newest products of the whole catalog, and a
category listing of products in stock. It prints p50 and p95 in milliseconds and the ratio
MongoDB / SQL of each. ``--sql-only`` measures the SQL catalog alone.

MongoDB: ``COMMERCE_BENCH_MONGO_URL`` (default ``COMMERCE_TEST_MONGO_URL``), a database
``catalog_bench``, dropped first and after. PostgreSQL: ``COMMERCE_BENCH_POSTGRES_URL`` (see
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
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pymongo
import sqlalchemy as sa
from checkout import machine, postgres_url

from commerce_adapters import connect
from commerce_adapters.mongo.catalog import MongoCategories, _counters, product_doc
from commerce_adapters.mongo.store import create_indexes, database_name
from commerce_adapters.security.passwords import Argon2Hasher
from commerce_adapters.sql import schema as t
from commerce_adapters.sql.database import normalize_url
from commerce_adapters.sql.repositories.catalog import _product_row, _variant_rows
from commerce_core.catalog.model import Category, Product, Variant
from commerce_core.facade import Commerce
from commerce_core.ids import SnowflakeIds
from commerce_core.money import Money

CATEGORIES = 100
BATCH = 2000
START = datetime(2026, 1, 1, tzinfo=UTC)


def _catalog(count: int) -> tuple[list[Category], list[Product], dict[int, int]]:
    """Categories, products and each variant's opening stock (seeded: the same every run)."""
    rng, ids = random.Random(42), SnowflakeIds(7)
    categories = [Category(ids.next_id(), f"Category {n}", created_at=START)
                  for n in range(CATEGORIES)]
    products: list[Product] = []
    stock: dict[int, int] = {}
    for n in range(count):
        pid = ids.next_id()
        variants = [Variant(ids.next_id(), pid, f"SKU-{n}-{k}",
                            Money(Decimal(rng.randrange(100, 100_000)) / 100, "USD"),
                            {"size": str(k)} if k else {}, 200)
                    for k in range(1 + (n % 3 == 0))]
        at = START + timedelta(seconds=n)
        products.append(Product(pid, 1000 + n % 50, f"Product {n} lamp", rng.choice(
            categories).id, "USD", variants, description=f"A fine thing, number {n}",
            attributes={"colour": rng.choice(["red", "blue", "black"]), "watts": str(n % 60)},
            tags=["lamp"], created_at=at, updated_at=at))
        for v in variants:
            stock[v.id] = 0 if rng.random() < 0.1 else rng.randrange(1, 50)
    return categories, products, stock


def _load_sql(url: str, categories: list[Category], products: list[Product],
              stock: dict[int, int], by_variant: dict[int, Product]) -> None:
    engine = sa.create_engine(normalize_url(url))
    with engine.begin() as conn:
        conn.execute(t.categories.insert(), [
            {"id": c.id, "name": c.name, "name_key": c.name.lower(), "description": "",
             "parent_id": None, "created_at": c.created_at} for c in categories])
        for start in range(0, len(products), BATCH):
            chunk = products[start:start + BATCH]
            conn.execute(t.products.insert(), [_product_row(p) for p in chunk])
            conn.execute(t.variants.insert(), [r for p in chunk for r in _variant_rows(p)])
            conn.execute(t.product_attributes.insert(), [
                {"product_id": p.id, "attribute_name": k, "attribute_value": v}
                for p in chunk for k, v in p.attributes.items()])
        rows = [{"variant_id": vid, "product_id": by_variant[vid].id,
                 "seller_id": by_variant[vid].seller_id, "quantity_available": n,
                 "quantity_reserved": 0, "quantity_sold": 0, "reorder_level": 0,
                 "updated_at": START} for vid, n in stock.items()]
        for start in range(0, len(rows), BATCH):
            conn.execute(t.inventory.insert(), rows[start:start + BATCH])
    engine.dispose()


def _load_mongo(url: str, categories: list[Category], products: list[Product]) -> None:
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(url)
    db = client.get_database(database_name(url))
    client.drop_database(db.name)
    create_indexes(db, url)
    db["categories"].insert_many([MongoCategories._doc(c) for c in categories])
    for start in range(0, len(products), BATCH // 10):
        db["products"].insert_many([{"_id": p.id, **product_doc(p), "version": 1,
                                     **_counters(p)}
                                    for p in products[start:start + BATCH // 10]])
    client.close()


def _shop(url: str, catalog_url: str | None = None) -> Commerce:
    return connect(url, catalog_url=catalog_url, secret_key="benchmark-secret-" + "x" * 32,
                   password_hasher=Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),
                   node_id=9)


def _timed(calls: list[Callable[[], object]]) -> tuple[float, float]:
    """p50 and p95 of the calls, in milliseconds (after two untimed warm-up calls)."""
    for call in calls[:2]:
        call()
    took = []
    for call in calls:
        start = time.perf_counter()
        call()
        took.append((time.perf_counter() - start) * 1000)
    cuts = statistics.quantiles(took, n=20)
    return statistics.median(took), cuts[18]


def _reads(shop: Commerce, products: list[Product], categories: list[Category], reads: int,
           seed: int) -> dict[str, tuple[float, float]]:
    rng = random.Random(seed)  # the same calls for both catalogs
    pick = [rng.choice(products).id for _ in range(reads)]
    cats = [rng.choice(categories).id for _ in range(reads)]
    pages = [rng.randrange(1, 6) for _ in range(reads)]
    c = shop.catalog
    detail, listing = c.product_detail, c.list_products
    return {
        "product detail": _timed([partial(detail, p) for p in pick]),
        "category by price, page 1-5": _timed([
            partial(listing, category_id=k, sort="price_asc", page=n)
            for k, n in zip(cats, pages, strict=True)]),
        "newest, whole catalog": _timed([partial(listing, page=n) for n in pages]),
        "category, in stock": _timed([partial(listing, category_id=k, in_stock=True)
                                      for k in cats]),
    }


def run(backends: list[str], count: int, reads: int, with_mongo: bool = True
        ) -> list[dict[str, Any]]:
    categories, products, stock = _catalog(count)
    by_variant = {v.id: p for p in products for v in p.variants}
    mongo = os.environ.get("COMMERCE_BENCH_MONGO_URL") or os.environ.get(
        "COMMERCE_TEST_MONGO_URL", "mongodb://127.0.0.1:27017/")
    # patient timeouts: a busy server must not be taken for a dead one mid-load
    mongo_url = (mongo.rstrip("/").split("?")[0] + "/catalog_bench?connectTimeoutMS=600000"
                 "&serverSelectionTimeoutMS=600000&socketTimeoutMS=600000")
    rows: list[dict[str, Any]] = []
    for backend in backends:
        folder = Path(tempfile.mkdtemp(prefix="catalog-bench-"))
        url = f"sqlite:///{folder / 'shop.db'}" if backend == "sqlite" else postgres_url()
        _shop(url)  # migrates a SQLite file
        started = time.perf_counter()
        _load_sql(url, categories, products, stock, by_variant)
        loaded = time.perf_counter()
        if with_mongo:
            _load_mongo(mongo_url, categories, products)
        print(f"{backend}: loaded in {loaded - started:.1f} s, MongoDB in "
              f"{time.perf_counter() - loaded:.1f} s", file=sys.stderr)
        sql = _reads(_shop(url), products, categories, reads, seed=1)
        beside = (_reads(_shop(url, mongo_url), products, categories, reads, seed=1)
                  if with_mongo else {})
        for operation, (p50, p95) in sql.items():
            m50, m95 = beside.get(operation, (None, None))
            rows.append({"backend": backend, "operation": operation, "sql_p50": p50,
                         "sql_p95": p95, "mongo_p50": m50, "mongo_p95": m95,
                         "p50_ratio": m50 / p50 if m50 else None,
                         "p95_ratio": m95 / p95 if m95 else None})
    if with_mongo:  # leave the server as found
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongo_url)
        client.drop_database(database_name(mongo_url))
        client.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--reads", type=int, default=300, help="per operation")
    parser.add_argument("--sql-only", action="store_true",
                        help="the SQL catalog alone (no MongoDB figures)")
    parser.add_argument("--json", action="store_true", help="print JSON, for scripts")
    args = parser.parse_args()
    rows = run(args.backends.split(","), args.products, args.reads, not args.sql_only)
    if args.json:
        print(json.dumps({"machine": machine(), "products": args.products,
                          "reads": args.reads, "rows": rows}, indent=2))
        return
    print(f"# catalog reads, {args.products:,} products ({machine()}, {args.reads} calls "
          "each)\n")
    print("| backend | operation | SQL p50 ms | SQL p95 ms | MongoDB p50 ms | MongoDB p95 ms "
          "| p50 MongoDB / SQL | p95 MongoDB / SQL |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        cells = [r[k] for k in ("sql_p50", "sql_p95", "mongo_p50", "mongo_p95", "p50_ratio",
                                "p95_ratio")]
        print(f"| {r['backend']} | {r['operation']} | "
              + " | ".join("n/a" if c is None else f"{c:.2f}" for c in cells) + " |")


if __name__ == "__main__":
    main()
