"""Checkout throughput: the SDK against a hand-written transaction doing the same writes.

    python benchmarks/checkout.py [--backends memory,sqlite,postgres] [--checkouts 300]
                                  [--workers 8] [--json]

For each backend it measures completed checkouts per second (cart already filled, card
charged by the fake gateway, events written to the outbox and published to an in-process bus
with no consumers), sequentially and with ``--workers`` threads, buying from 50 products or
all from one hot variant. Beside each SDK figure it measures, in the same run, a minimal
hand-written transaction (psycopg for PostgreSQL, sqlite3 for SQLite) that makes the same
durable writes in one go: stock, order and item, payment, checkout record, stock movements,
outbox rows, emptied cart; and the same writes shaped like the SDK's saga, three
transactions (reserve and record, start payment, complete), which is what a crash-safe
checkout needs. The ratios are the figures to watch, since absolute numbers move with the
machine.

One more scenario times the cart too: a new buyer adds 2 products, one call each, and checks
out. The hand-written side fills the cart the way a shop must (per line a transaction that
reads the variant's price and stock and writes the cart and the line) and then makes the
checkout's writes for both lines.

It also counts, for SQL backends, the statements and transactions one checkout costs (a
1-line and a 5-line cart): counts do not drift with the machine's load as times do.

PostgreSQL: ``COMMERCE_BENCH_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/
commerce_bench``, created if missing). Its commerce tables are emptied first.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import random
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import psycopg
import sqlalchemy as sa
from pool import run_pool

from commerce_adapters import connect
from commerce_adapters.fake.payments import FakeGateway
from commerce_adapters.memory.bus import InProcessEventBus
from commerce_adapters.notify.recording import RecordingNotifier
from commerce_adapters.security.passwords import Argon2Hasher
from commerce_adapters.sql import migrate
from commerce_adapters.sql.database import PoolSettings, normalize_url
from commerce_adapters.sql.schema import metadata
from commerce_core.accounts.policy import Actor
from commerce_core.address import Address
from commerce_core.catalog.service import VariantSpec
from commerce_core.facade import Commerce

HOME = Address("1 Main St", "Springfield", "12345", "US")
# HOME as the orders table's JSON columns hold an address: its seven fields by name
HOME_JSON = {f: getattr(HOME, f)
             for f in ("line1", "city", "postal_code", "country", "region", "line2", "name")}
ADMIN, SELLER = Actor.admin(1), Actor.seller(2)
PRODUCTS = 50


# Counting -------------------------------------------------------------------------------------
class SqlCounter:
    """Statements and transactions every SQLAlchemy engine of this process runs (the SDK's;
    the hand-written floors use their drivers directly). It listens only while it counts:
    an engine with listeners dispatches an event per statement, which the timed runs must
    not pay for."""

    def __init__(self) -> None:
        self.statements = 0
        self.transactions = 0
        self._lock = threading.Lock()

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):  # SQLite's explicit BEGIN
            with self._lock:
                self.statements += 1

    def _begin(self, _conn: Any) -> None:
        with self._lock:
            self.transactions += 1

    def per_call(self, calls: list[Callable[[], None]]) -> tuple[float, float]:
        """Average statements and transactions of each call, run one after another."""
        before = self.statements, self.transactions
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", self._statement)
        sa.event.listen(sa.engine.Engine, "begin", self._begin)
        try:
            for call in calls:
                call()
        finally:
            sa.event.remove(sa.engine.Engine, "before_cursor_execute", self._statement)
            sa.event.remove(sa.engine.Engine, "begin", self._begin)
        n = len(calls)
        return (self.statements - before[0]) / n, (self.transactions - before[1]) / n


COUNTER = SqlCounter()


# The SDK ---------------------------------------------------------------------------------------
class SdkShop:
    def __init__(self, url: str) -> None:
        self.shop: Commerce = connect(
            url, gateway=FakeGateway(), publisher=InProcessEventBus(),
            notifier=RecordingNotifier(), secret_key="benchmark-secret-" + "x" * 32,
            password_hasher=Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),
            database_options={"settings": PoolSettings(pool_size=20, max_overflow=10)})
        category = self.shop.catalog.create_category(ADMIN, f"Bench {uuid.uuid4().hex[:6]}").id
        self.products = [self.shop.catalog.create_product(
            SELLER, name=f"Item {n}", category_id=category,
            variants=[VariantSpec(f"B-{uuid.uuid4().hex[:10]}", "19.99", stock=1_000_000)])
            for n in range(PRODUCTS)]
        self._next_user = 10_000 + random.randrange(10**9)
        self._lock = threading.Lock()

    def prepare(self, count: int, hot: bool, lines: int = 1) -> list[Actor]:
        """``count`` customers with ``lines`` lines in their cart (not timed)."""
        buyers = []
        for n in range(count):
            self._next_user += 1
            buyer = Actor.customer(self._next_user)
            for line in range(lines):
                product = self.products[0 if hot else (n + line) % PRODUCTS]
                self.shop.cart.add_item(buyer, product.id, 1)
            buyers.append(buyer)
        return buyers

    def fill_and_checkout(self, n: int, lines: int) -> None:
        """A new buyer adds ``lines`` products to the cart, one call each, and checks out."""
        with self._lock:
            self._next_user += 1
            buyer = Actor.customer(self._next_user)
        for line in range(lines):
            self.shop.cart.add_item(buyer, self.products[(n + line) % PRODUCTS].id, 1)
        self.checkout(buyer)

    def checkout(self, buyer: Actor) -> None:
        result = self.shop.checkout.place_order(buyer, HOME, payment_token="tok_visa")
        if result.order.status.value != "CONFIRMED":
            raise RuntimeError(f"checkout ended {result.order.status}")


# The floor: the same writes, by hand, in one transaction ------------------------------------
class HandWritten:
    """One transaction per checkout: take stock, write order, item, payment, checkout record,
    two movements, four outbox rows, empty the cart. ``connect`` opens a DB-API connection
    (one per worker); SQL uses the paramstyle of the driver."""

    def __init__(self, connect_: Callable[[], Any], paramstyle: str, variant_ids: list[int],
                 sequence: str | None) -> None:
        self._connect = connect_
        self._p = "%s" if paramstyle == "format" else "?"
        self._variants = variant_ids
        self._sequence = sequence
        self._ids = iter(range(random.randrange(10**12), 10**15))
        self._lock = threading.Lock()
        self._number = 0

    def _id(self) -> int:
        with self._lock:
            return next(self._ids)

    def _order_number(self, cur: Any) -> int:
        if self._sequence:
            cur.execute(f"SELECT nextval('{self._sequence}')")
            return int(cur.fetchone()[0])
        with self._lock:
            self._number += 1
            return self._number

    def checkout(self, conn: Any, n: int, hot: bool,
                 cart: tuple[int, list[int]] | None = None) -> None:
        p, now = self._p, datetime.now(UTC)
        stamp = now.isoformat() if p == "?" else now
        user_id, variants = cart or (self._id(), [
            self._variants[0 if hot else n % len(self._variants)]])
        cur = conn.cursor()
        for variant in variants:
            cur.execute(f"UPDATE inventory SET quantity_available = quantity_available - 1, "
                        f"quantity_sold = quantity_sold + 1, updated_at = {p} "
                        f"WHERE variant_id = {p} AND quantity_available >= 1", (stamp, variant))
        order_id, payment_id = self._id(), self._id()
        self._order(cur, order_id, user_id, variants, "CONFIRMED", "COMPLETED", stamp)
        cur.execute(
            "INSERT INTO payments (id, order_id, user_id, amount, currency, refunded, "
            "idempotency_key, method, status, transaction_id, failure_reason, "
            f"gateway_response, created_at, updated_at) VALUES ({', '.join([p] * 14)})",
            (payment_id, order_id, user_id, str(Decimal("19.99") * len(variants)), "USD", "0",
             f"pay_{payment_id}", "card", "COMPLETED", f"txn_{payment_id}", "", "{}", stamp,
             stamp))
        cur.execute(
            "INSERT INTO checkouts (id, user_id, order_id, reservation_id, state, "
            "failure_code, failure_message, created_at, updated_at) "
            f"VALUES ({', '.join([p] * 9)})",
            (self._id(), user_id, order_id, self._id(), "COMPLETED", "", "", stamp, stamp))
        for variant in variants:
            self._movement(cur, variant, order_id, stamp)  # the sale; a hold writes none
        for name in ("OrderPlaced", "InventoryUpdated", "PaymentConfirmed", "OrderConfirmed"):
            cur.execute(f"INSERT INTO outbox (id, name, event, created_at) "
                        f"VALUES ({p}, {p}, {p}, {p})",
                        (self._id(), name, json.dumps({"order_id": order_id}), stamp))
        cur.execute(f"DELETE FROM carts WHERE user_id = {p}", (user_id,))  # lines cascade
        conn.commit()

    def _order(self, cur: Any, order_id: int, user_id: int, variants: list[int], status: str,
               payment_status: str, stamp: Any) -> None:
        """The order row and an item per variant, as both floors write them."""
        p = self._p
        number = f"BENCH-{self._order_number(cur):09d}-{uuid.uuid4().hex[:6]}"
        address = json.dumps(HOME_JSON)
        total = str(Decimal("19.99") * len(variants))
        cur.execute(
            "INSERT INTO orders (id, order_number, user_id, currency, subtotal, discount, "
            "shipping, tax, total_amount, status, payment_status, shipping_address, "
            "billing_address, payment_method, cancel_reason, timeline, created_at, updated_at) "
            f"VALUES ({', '.join([p] * 18)})",
            (order_id, number, user_id, "USD", total, "0", "0", "0", total, status,
             payment_status, address, address, "card", "", "[]", stamp, stamp))
        cur.executemany(
            "INSERT INTO order_items (id, order_id, product_id, variant_id, sku, product_name, "
            "seller_id, quantity, unit_price, subtotal, discount, tax, status, position) "
            f"VALUES ({', '.join([p] * 14)})",
            [(self._id(), order_id, 1, variant, "SKU", "Item", 2, 1, "19.99", "19.99", "0", "0",
              status, position) for position, variant in enumerate(variants)])

    def fill(self, conn: Any, n: int, lines: int) -> tuple[int, list[int]]:
        """A new buyer's cart of ``lines`` variants, a transaction per line as a shop adds
        them: read the variant's price and stock, write the cart and the line."""
        p, now = self._p, datetime.now(UTC)
        stamp = now.isoformat() if p == "?" else now
        user_id = self._id()
        variants = [self._variants[(n + line) % len(self._variants)] for line in range(lines)]
        cur = conn.cursor()
        for position, variant in enumerate(variants):
            cur.execute("SELECT v.price, v.sku, p.name, p.seller_id, p.category_id, "
                        "v.weight_grams, i.quantity_available FROM variants v "
                        "JOIN products p ON p.id = v.product_id "
                        "JOIN inventory i ON i.variant_id = v.id "
                        f"WHERE v.id = {p} AND v.is_active AND p.is_active", (variant,))
            price, sku, name, seller, category, weight, available = cur.fetchone()
            if available < 1:
                raise RuntimeError("out of stock")
            cur.execute("INSERT INTO carts (user_id, cart_id, version, created_at, updated_at) "
                        f"VALUES ({p}, {p}, 1, {p}, {p}) ON CONFLICT (user_id) DO UPDATE "
                        "SET version = carts.version + 1, updated_at = excluded.updated_at",
                        (user_id, f"cart_{user_id}", stamp, stamp))
            cur.execute("INSERT INTO cart_items (id, user_id, product_id, variant_id, sku, "
                        "product_name, quantity, unit_price, currency, seller_id, category_id, "
                        "weight_grams, selected_attributes, position) "
                        f"VALUES ({', '.join([p] * 14)})",
                        (self._id(), user_id, 1, variant, sku, name, 1, str(price), "USD",
                         seller, category, weight, "{}", position))
            conn.commit()
        return user_id, variants

    def saga(self, conn: Any, n: int, hot: bool,
             cart: tuple[int, list[int]] | None = None) -> None:
        """The same writes shaped like the SDK's saga: reserve and record the order, start
        the payment, complete, each step its own transaction (the charge goes between).
        ``cart`` is a buyer and the variants :meth:`fill` put in their cart."""
        p, now = self._p, datetime.now(UTC)
        stamp = now.isoformat() if p == "?" else now
        user_id, variants = cart or (self._id(), [
            self._variants[0 if hot else n % len(self._variants)]])
        order_id, payment_id = self._id(), self._id()
        reservation_id, checkout_id = self._id(), self._id()
        amount = str(Decimal("19.99") * len(variants))
        cur = conn.cursor()
        for variant in variants:
            cur.execute(f"UPDATE inventory SET quantity_available = quantity_available - 1, "
                        f"quantity_reserved = quantity_reserved + 1, updated_at = {p} "
                        f"WHERE variant_id = {p} AND quantity_available >= 1", (stamp, variant))
        cur.execute("INSERT INTO reservations (id, order_id, status, lines, expires_at, "
                    f"created_at) VALUES ({p}, {p}, 'ACTIVE', {p}, {p}, {p})",
                    (reservation_id, order_id, json.dumps([[v, 1] for v in variants]), stamp,
                     stamp))
        self._order(cur, order_id, user_id, variants, "PENDING", "PENDING", stamp)
        cur.execute(
            "INSERT INTO checkouts (id, user_id, order_id, reservation_id, state, "
            "failure_code, failure_message, created_at, updated_at) "
            f"VALUES ({', '.join([p] * 9)})",
            (checkout_id, user_id, order_id, reservation_id, "RESERVED", "", "", stamp, stamp))
        self._events(cur, order_id, stamp, 2)
        conn.commit()
        cur.execute(
            "INSERT INTO payments (id, order_id, user_id, amount, currency, refunded, "
            "idempotency_key, method, status, failure_reason, gateway_response, created_at, "
            f"updated_at) VALUES ({', '.join([p] * 13)})",
            (payment_id, order_id, user_id, amount, "USD", "0", f"pay_{payment_id}", "card",
             "PROCESSING", "", "{}", stamp, stamp))
        cur.execute(f"UPDATE checkouts SET state = 'PAYMENT_STARTED', payment_id = {p} "
                    f"WHERE id = {p}", (payment_id, checkout_id))
        conn.commit()
        cur.execute(f"UPDATE payments SET status = 'COMPLETED', transaction_id = {p} "
                    f"WHERE id = {p}", (f"txn_{payment_id}", payment_id))
        cur.execute(f"UPDATE orders SET status = 'CONFIRMED', payment_status = 'COMPLETED' "
                    f"WHERE id = {p}", (order_id,))
        cur.execute(f"UPDATE order_items SET status = 'CONFIRMED' WHERE order_id = {p}",
                    (order_id,))
        for variant in variants:
            cur.execute(f"UPDATE inventory SET quantity_reserved = quantity_reserved - 1, "
                        f"quantity_sold = quantity_sold + 1 WHERE variant_id = {p}", (variant,))
        cur.execute(f"UPDATE reservations SET status = 'COMMITTED', ended_at = {p} "
                    f"WHERE id = {p}", (stamp, reservation_id))
        cur.execute(f"UPDATE checkouts SET state = 'COMPLETED' WHERE id = {p}", (checkout_id,))
        for variant in variants:
            self._movement(cur, variant, order_id, stamp)
        self._events(cur, order_id, stamp, 2)
        cur.execute(f"DELETE FROM carts WHERE user_id = {p}", (user_id,))  # lines cascade
        conn.commit()

    def _movement(self, cur: Any, variant: int, order_id: int, stamp: Any) -> None:
        cur.execute("INSERT INTO stock_movements (id, variant_id, movement_type, quantity, "
                    f"reason, order_id, created_at) VALUES ({', '.join([self._p] * 7)})",
                    (self._id(), variant, "OUT", 1, "sold", order_id, stamp))

    def _events(self, cur: Any, order_id: int, stamp: Any, events: int) -> None:
        p = self._p
        for _ in range(events):
            cur.execute(f"INSERT INTO outbox (id, name, event, created_at) "
                        f"VALUES ({p}, {p}, {p}, {p})",
                        (self._id(), "Event", json.dumps({"order_id": order_id}), stamp))


# Running ------------------------------------------------------------------------------------
@attrs.frozen
class Figure:
    per_second: float  # completed checkouts per second of wall time
    cpu_ms: float  # this process's CPU (every thread) per checkout: client-side cost


def timed(jobs: list[Callable[[], None]], workers: int) -> Figure:
    """Run ``jobs`` on ``workers`` threads: jobs per second of wall time, CPU ms per job."""
    cpu = time.process_time()
    ran = run_pool(jobs, workers)
    return Figure(ran.per_second, 1000 * (time.process_time() - cpu) / len(jobs))


def scenarios(workers: int) -> list[tuple[str, int, bool, int]]:
    """Label, threads, all from one hot variant, lines filled in the timed part (0: the
    cart is filled beforehand, untimed)."""
    return [("sequential", 1, False, 0), (f"{workers} workers", workers, False, 0),
            (f"hot variant, {workers} workers", workers, True, 0),
            (f"fill 2 lines and check out, {workers} workers", workers, False, 2)]


def count_sdk(sdk: SdkShop, checkouts: int) -> dict[str, float]:
    """Statements and transactions per checkout of a 1-line and a 5-line cart."""
    found = {}
    for lines in (1, 5):
        buyers = sdk.prepare(checkouts, False, lines)
        statements, transactions = COUNTER.per_call(
            [functools.partial(sdk.checkout, b) for b in buyers])
        found[f"statements, {lines} line{'s' if lines > 1 else ''}"] = statements
        found[f"transactions, {lines} line{'s' if lines > 1 else ''}"] = transactions
    return found


def sdk_scenario(sdk: SdkShop, checkouts: int, threads: int, hot: bool,
                 fill: int = 0) -> Figure:
    if fill:
        return timed([functools.partial(sdk.fill_and_checkout, n, fill)
                      for n in range(checkouts)], threads)
    buyers = sdk.prepare(checkouts, hot)
    return timed([functools.partial(sdk.checkout, b) for b in buyers], threads)


class HandRunner:
    """One hand-written floor (``shape`` "one" or "saga"), a connection per worker thread."""

    def __init__(self, make: Callable[[], tuple[Callable[[], Any], str, list[int], str | None]],
                 shape: str) -> None:
        connect_, style, variants, sequence = make()
        self._connect = connect_
        hand = HandWritten(connect_, style, variants, sequence)
        self._fill = hand.fill
        self._step = hand.checkout if shape == "one" else hand.saga

    def scenario(self, checkouts: int, threads: int, hot: bool, fill: int = 0) -> Figure:
        local = threading.local()

        def job(n: int) -> None:
            if not hasattr(local, "conn"):
                local.conn = self._connect()
            cart = self._fill(local.conn, n, fill) if fill else None
            self._step(local.conn, n, hot, cart)
        return timed([functools.partial(job, n) for n in range(checkouts)], threads)


def _variants(url: str) -> list[int]:
    engine = sa.create_engine(normalize_url(url))
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT variant_id FROM inventory "
                                    "ORDER BY variant_id LIMIT 50").all()
    engine.dispose()
    return [r[0] for r in rows]


def postgres_url() -> str:
    url = os.environ.get("COMMERCE_BENCH_POSTGRES_URL",
                         "postgresql://postgres@127.0.0.1:5432/commerce_bench")
    target = sa.engine.make_url(normalize_url(url))
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %(d)s",
                                    {"d": target.database}).first():
            conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    admin.dispose()
    migrate.upgrade(url)
    engine = sa.create_engine(normalize_url(url))
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE " + ", ".join(t.name for t in metadata.sorted_tables)
                             + " CASCADE")
        conn.exec_driver_sql("CREATE SEQUENCE IF NOT EXISTS bench_order_numbers")
    engine.dispose()
    return url


Row = tuple[str, str, Figure | float, Figure | None, Figure | None]


def run(backends: list[str], checkouts: int, workers: int) -> list[Row]:
    """Every scenario runs the SDK and then both floors, so the three figures of a row are
    taken minutes apart at most, under the same load."""
    rows: list[Row] = []
    counted: list[SdkShop] = []
    for backend in backends:
        if backend == "memory":
            shop = SdkShop("memory://")
            rows += [(backend, label, sdk_scenario(shop, checkouts, threads, hot, fill), None,
                      None) for label, threads, hot, fill in scenarios(workers)]
            continue
        url, make = _sql_backend(backend)
        sdk = SdkShop(url)  # creates and stocks the products the floors buy
        one, saga = HandRunner(make, "one"), HandRunner(make, "saga")
        for label, threads, hot, fill in scenarios(workers):
            rows.append((backend, label, sdk_scenario(sdk, checkouts, threads, hot, fill),
                         one.scenario(checkouts, threads, hot, fill),
                         saga.scenario(checkouts, threads, hot, fill)))
        counted.append(sdk)
    # counted after every timing: listening marks SQLAlchemy's Engine class as having
    # listeners for good, and each statement then walks the (empty) listener lists
    sql = [b for b in backends if b != "memory"]
    for backend, sdk in zip(sql, counted, strict=True):
        counts = count_sdk(sdk, max(10, checkouts // 10))
        rows += [(backend, label, value, None, None) for label, value in counts.items()]
    return rows


def _sql_backend(backend: str) -> tuple[str, Callable[[], Any]]:
    """The SDK's URL and the floors' connection maker for a SQL backend."""
    if backend == "sqlite":
        path = Path(tempfile.mkdtemp()) / "bench.db"
        url = f"sqlite:///{path}"

        def make_sqlite() -> tuple[Any, str, list[int], None]:
            def open_() -> sqlite3.Connection:
                conn = sqlite3.connect(path, timeout=30, isolation_level="IMMEDIATE",
                                       check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA foreign_keys=ON")  # as the SDK's connections
                return conn
            return open_, "qmark", _variants(url), None
        return url, make_sqlite
    if backend == "postgres":
        pg_url = postgres_url()

        def make_pg() -> tuple[Any, str, list[int], str]:
            dsn = normalize_url(pg_url).replace("postgresql+psycopg://", "postgresql://")
            return (lambda: psycopg.connect(dsn)), "format", _variants(pg_url), \
                "bench_order_numbers"
        return pg_url, make_pg
    raise SystemExit(f"unknown backend {backend!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="memory,sqlite,postgres")
    parser.add_argument("--checkouts", type=int, default=300, help="per scenario")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--json", action="store_true", help="print JSON, for scripts")
    args = parser.parse_args()
    rows = run(args.backends.split(","), args.checkouts, args.workers)
    if args.json:
        print(json.dumps({"machine": machine(), "checkouts": args.checkouts,
                          "rows": [_json_row(*row) for row in rows]}, indent=2))
        return
    print(f"# checkout throughput ({machine()}, {args.checkouts} checkouts per scenario)\n")
    print("| backend | scenario | SDK/s | hand-written, 1 tx/s | SDK / 1 tx "
          "| hand-written saga, 3 tx/s | SDK / saga | CPU ms: SDK, 1 tx, saga |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for backend, label, sdk, one, saga in rows:
        if not isinstance(sdk, Figure):
            print(f"| {backend} | {label} per checkout | {sdk:.1f} | | | | | |")
            continue
        cpu = ", ".join(f"{f.cpu_ms:.2f}" for f in (sdk, one, saga) if f)
        print(f"| {backend} | {label} | {sdk.per_second:,.0f} | {_cell(one)} | "
              f"{_ratio(sdk, one)} | {_cell(saga)} | {_ratio(sdk, saga)} | {cpu} |")


def _json_row(backend: str, label: str, sdk: Figure | float, one: Figure | None,
              saga: Figure | None) -> dict[str, Any]:
    if not isinstance(sdk, Figure):
        return {"backend": backend, "scenario": label, "sdk": sdk}
    row: dict[str, Any] = {"backend": backend, "scenario": label, "sdk": sdk.per_second,
                           "sdk_cpu_ms": sdk.cpu_ms}
    for name, floor in (("one_tx", one), ("saga", saga)):
        if floor:
            row |= {f"hand_{name}": floor.per_second, f"hand_{name}_cpu_ms": floor.cpu_ms,
                    f"sdk_over_{name}": sdk.per_second / floor.per_second}
    return row


def machine() -> str:
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}")


def _cell(value: Figure | None) -> str:
    return f"{value.per_second:,.0f}" if value else "n/a"


def _ratio(sdk: Figure, floor: Figure | None) -> str:
    return f"{sdk.per_second / floor.per_second:.2f}" if floor else "n/a"


if __name__ == "__main__":
    main()
