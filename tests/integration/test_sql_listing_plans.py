"""A rating listing reads its page in the order of an index, on SQLite and PostgreSQL: the
statement ``summaries`` runs is caught and EXPLAINed, and its plan must name the index
and sort nothing. PostgreSQL is told to avoid scans and sorts it has a way around (a table
this small is otherwise cheaper to read whole): what is asserted is that the index can
serve the page, which the planner's statistics choose at scale (docs/benchmarks.md)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from commerce_adapters.bootstrap import Storage
from commerce_adapters.sql.backend import open_sql
from commerce_core.catalog.model import Category, Product, ProductSort, Variant
from commerce_core.catalog.ports import CatalogSession, ProductQuery
from commerce_core.catalog.views import After
from commerce_core.clock import ManualClock
from commerce_core.ids import SnowflakeIds
from commerce_core.money import Money
from commerce_core.pagination import PageRequest
from tests.sql_servers import fresh_postgres, sqlite_template


@pytest.fixture(params=["sqlite", "postgres"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    clock, ids = ManualClock(), SnowflakeIds()
    if request.param == "sqlite":
        shutil.copy(sqlite_template(), tmp_path / "shop.db")
        yield open_sql(f"sqlite:///{tmp_path / 'shop.db'}", clock, ids)
        return
    url = os.environ.get("COMMERCE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("COMMERCE_TEST_POSTGRES_URL is not set")
    yield open_sql(fresh_postgres(url), clock, ids)


def _seed(storage: Storage) -> None:
    """Forty products in two categories, one in four unrated."""
    with storage.catalog() as session:
        for number in (1, 2):
            session.categories.add(Category(number, f"Category {number}"))
        for n in range(40):
            rating = None if n % 4 == 0 else Decimal(1 + n % 5)
            session.products.add(Product(
                1000 + n, 1, f"Product {n}", 1 + n % 2, "USD",
                [Variant(5000 + n, 1000 + n, f"SKU-{n}", Money("10", "USD"), {})],
                rating=rating))
        session.commit()


def _plan(session: CatalogSession, query: ProductQuery, after: After | None) -> str:
    """The plan of the page statement that ``summaries`` runs, one line per step."""
    conn: sa.Connection = session.products.c  # type: ignore[attr-defined]
    caught: list[tuple[str, Any]] = []

    def catch(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "ORDER BY" in statement:
            caught.append((statement, parameters))

    sa.event.listen(conn, "before_cursor_execute", catch)
    try:
        session.products.summaries(query, PageRequest(1, 3), after)
    finally:
        sa.event.remove(conn, "before_cursor_execute", catch)
    [(statement, parameters)] = caught
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return "\n".join(str(r[-1]) for r in rows)
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    conn.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
    conn.exec_driver_sql("SET LOCAL enable_sort = off")
    return "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters))


RATED = ProductSort.RATING
ALL, IN_STOCK, CATEGORY = ("ix_products_active_rating",), (
    "ix_products_listing_rating", "ix_products_active_rating"), ("ix_products_category_rating",)
# query, keyset position, the indexes that may serve it (in stock: SQLite, with no
# statistics, would otherwise take the in-stock price index and sort; PostgreSQL may walk
# the whole catalog's rating index and skip what is out of stock)
CASES = {
    "the whole catalog": (ProductQuery(sort=RATED), None, ALL),
    "a deep page": (ProductQuery(sort=RATED), After(Decimal("3"), 1010), ALL),
    "among the unrated": (ProductQuery(sort=RATED), After(Decimal(-1), 1030), ALL),
    "in stock": (ProductQuery(sort=RATED, in_stock=True), None, IN_STOCK),
    "in stock, a deep page": (ProductQuery(sort=RATED, in_stock=True),
                              After(Decimal("4"), 1020), IN_STOCK),
    "several categories in stock": (ProductQuery(frozenset({1, 2}), sort=RATED, in_stock=True),
                                    None, IN_STOCK),
    "a category": (ProductQuery(frozenset({2}), sort=RATED), None, CATEGORY),
    "a category's deep page": (ProductQuery(frozenset({2}), sort=RATED),
                               After(Decimal("2"), 1030), CATEGORY),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_rating_page_is_read_in_index_order(storage: Storage, case: str) -> None:
    query, after, indexes = CASES[case]
    _seed(storage)
    with storage.catalog(read_only=True) as session:
        plan = _plan(session, query, after)
    assert any(index in plan for index in indexes), plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
