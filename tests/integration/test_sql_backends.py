"""The SQL backend as users meet it: the embedded default, migrations, replicas, failures."""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
import runpy
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from commerce_adapters import connect
from commerce_adapters.fake.payments import FakeGateway
from commerce_adapters.sql import migrate, nodes
from commerce_adapters.sql.database import normalize_url
from commerce_adapters.sql.schema import metadata
from commerce_adapters.sql.uow import SqlSession
from commerce_core.accounts.policy import Actor
from commerce_core.address import Address
from commerce_core.catalog.model import Category
from commerce_core.clock import ManualClock
from commerce_core.errors import InsufficientStock, TransientError, Unavailable
from commerce_core.ids import node_of
from commerce_core.money import Money
from commerce_core.payments.model import RefundState
from tests.concurrency import run_together
from tests.conftest import ADMIN, FAST_HASHER, HOME, SECRET, add_product, make_shop
from tests.sql_servers import derived_postgres, empty_postgres

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "marketplace.py"


def test_marketplace_walkthrough_on_sqlite(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLE))["main"](f"sqlite:///{tmp_path / 'market.db'}")
    assert "order is DELIVERED" in capsys.readouterr().out


def test_marketplace_walkthrough_on_postgres(postgres_url: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLE))["main"](postgres_url)
    out = capsys.readouterr().out
    assert "order is DELIVERED" in out and "Lumen refunded 298.00 USD" in out


def test_connect_with_no_settings_makes_and_migrates_commerce_db(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COMMERCE_DATABASE_URL", raising=False)
    shop = connect(secret_key=SECRET)
    assert shop.catalog.create_category(ADMIN, "Books").name == "Books"
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'commerce.db'}")
    assert migrate.current(engine) == migrate.head()
    again = connect(secret_key=SECRET)  # reopening is idempotent and keeps the data
    assert [c.name for c in again.catalog.categories()] == ["Books"]


def test_postgres_is_refused_until_migrated(postgres_url: str) -> None:
    with empty_postgres(postgres_url) as target:
        try:
            with pytest.raises(Unavailable, match="commerce db upgrade"):
                connect(target, secret_key=SECRET)
            assert migrate.upgrade(target) == migrate.head()
            assert migrate.upgrade(target) == migrate.head()  # a second run changes nothing
            assert connect(target, secret_key=SECRET).catalog.categories() == []
        finally:
            sa.create_engine(target).dispose()


def test_read_only_work_goes_to_the_replica(postgres_url: str) -> None:
    with derived_postgres(postgres_url, "replica") as replica_url:  # migrated, never written
        migrate.upgrade(replica_url)
        shop = make_shop(ManualClock(), FakeGateway(), postgres_url, replica_urls=[replica_url])
        shop.catalog.create_category(ADMIN, "Written to the primary")
        # the stand-in replica never receives the write: reads served by it do not see it
        assert shop.catalog.categories() == []
        with shop.tx.catalog_read() as catalog:  # a read not marked replica reads the primary
            assert [c.name for c in catalog.categories.all()] == ["Written to the primary"]
        # reads that must see what was just written (sign-in, checkout steps) use the primary
        shop.accounts.register("ann@example.com", "correct-horse-42", "Ann")
        assert shop.accounts.login("ann@example.com", "correct-horse-42").user.name == "Ann"


def test_a_dropped_connection_leaves_nothing_half_written(postgres_url: str) -> None:
    shop = make_shop(ManualClock(), FakeGateway(), postgres_url)
    killer = sa.create_engine(normalize_url(postgres_url))
    with pytest.raises(TransientError), shop.catalog_sessions() as session:
        session.categories.add(Category(1, "Half", created_at=shop.clock.now()))
        assert isinstance(session, SqlSession)
        pid = session.conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        with killer.begin() as conn:
            conn.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
        session.categories.add(Category(2, "Written", created_at=shop.clock.now()))
        session.commit()
    killer.dispose()
    assert shop.catalog.categories() == []  # the pool replaced the dead connection


def test_sqlite_writers_queue_instead_of_failing(tmp_path: Path) -> None:
    shop = make_shop(ManualClock(), FakeGateway(), f"sqlite:///{tmp_path / 'shop.db'}")
    product = add_product(shop, shop.catalog.create_category(ADMIN, "C").id, stock=5)
    buyers = [Actor.customer(7000 + n) for n in range(16)]
    for b in buyers:
        shop.cart.add_item(b, product.id, 1)
    outcomes: list[str] = []

    def buy(b: Actor) -> None:
        try:
            shop.checkout.place_order(b, HOME, payment_token="tok_visa")
            outcomes.append("ok")
        except InsufficientStock:
            outcomes.append("short")

    assert run_together([functools.partial(buy, b) for b in buyers]) == []
    assert sorted(outcomes) == ["ok"] * 5 + ["short"] * 11
    s = shop.inventory.stock(ADMIN, product.variants[0].id)
    assert (s.available, s.reserved, s.sold) == (0, 0, 5)


def test_fake_payments_are_one_gateway_per_process(tmp_path: Path) -> None:
    """``fake://`` stands for one outside service: a second shop object of the process (a
    CLI command, say) refunds what the first one charged."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    first, second = connect(url, secret_key=SECRET), connect(url, secret_key=SECRET)
    product = add_product(first, first.catalog.create_category(ADMIN, "C").id,
                          prices=["40.00"])
    buyer = Actor.customer(9100)
    first.cart.add_item(buyer, product.id, 1)
    order = first.checkout.place_order(buyer, HOME, payment_token="tok_visa").order
    payment = second.payments.for_order(order.id, buyer)[0]
    refund = second.payments.refund(ADMIN, payment.id, Money("40.00", "USD"))
    assert refund.status is RefundState.COMPLETED


# The SDK's own Alembic version table, beside a host application's --------------------------
@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'host.db'}"
        return
    url = os.environ.get("COMMERCE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("COMMERCE_TEST_POSTGRES_URL is not set")
    with derived_postgres(url, "alembic") as empty:
        yield empty


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(sql)]
    finally:
        engine.dispose()


def _run(url: str, *statements: str) -> None:
    engine = sa.create_engine(normalize_url(url))
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(normalize_url(url))
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


HOST_TABLE = "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"


def test_a_host_applications_alembic_version_is_left_alone(empty_database: str) -> None:
    _run(empty_database, HOST_TABLE, "INSERT INTO alembic_version VALUES ('hostapp_7f3a')")
    assert migrate.upgrade(empty_database) == migrate.head()
    assert _rows(empty_database, "SELECT version_num FROM alembic_version") == [
        ("hostapp_7f3a",)]
    assert _rows(empty_database, f"SELECT version_num FROM {migrate.VERSION_TABLE}") == [
        (migrate.head(),)]
    connect(empty_database, secret_key=SECRET)  # the SDK is content with its own table
    assert _rows(empty_database, "SELECT version_num FROM alembic_version") == [
        ("hostapp_7f3a",)]


def test_order_addresses_keep_the_stored_json_of_earlier_releases(empty_database: str
                                                                  ) -> None:
    """The orders table holds each address as JSON of its seven fields; a row in that form
    (with the optional lines absent, as an older writer could leave them) reads back."""
    migrate.upgrade(empty_database)
    shop = connect(empty_database, secret_key=SECRET)
    product = add_product(shop, shop.catalog.create_category(ADMIN, "C").id, prices=["40.00"])
    buyer = Actor.customer(9200)
    shop.cart.add_item(buyer, product.id, 1)
    billing = Address("2 Side St", "Shelbyville", "54321", "US", line2="Apt 3", name="Lee")
    order = shop.checkout.place_order(buyer, HOME, billing, payment_token="tok_visa").order
    stored = _rows(empty_database, "SELECT shipping_address, billing_address FROM orders "
                   f"WHERE id = {order.id}")[0]
    assert [json.loads(v) if isinstance(v, str) else v for v in stored] == [
        {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US",
         "region": "IL", "line2": "", "name": ""},
        {"line1": "2 Side St", "city": "Shelbyville", "postal_code": "54321", "country": "US",
         "region": "", "line2": "Apt 3", "name": "Lee"}]
    _run(empty_database, "UPDATE orders SET billing_address = '{\"line1\": \"9 Old Rd\", "
         "\"city\": \"Ogdenville\", \"postal_code\": \"999\", \"country\": \"US\"}' "
         f"WHERE id = {order.id}")
    again = shop.orders.get(order.id, buyer)
    assert (again.shipping_address, again.billing_address) == (
        HOME, Address("9 Old Rd", "Ogdenville", "999", "US"))
    assert shop.tx.drain(10)  # the checkout's events handled before the database goes
    shop.tx.flush_marks()


def test_accounts_stored_before_first_and_last_names_still_sign_in(empty_database: str
                                                                   ) -> None:
    """Migration 0012 adds the seed's optional names; a user row written at 0010 (a required
    display name, no first or last name) reads back, signs in and gains names later."""
    assert migrate.upgrade(empty_database, "0010") == "0010"
    hashed = FAST_HASHER.hash("correct horse battery")
    _run(empty_database, "INSERT INTO users (id, email, password_hash, name, phone, role, "
         "is_active, token_generation, created_at, updated_at) VALUES (7, 'old@example.com', "
         f"'{hashed}', 'Old Timer', '', 'customer', TRUE, 0, '2026-01-01 00:00:00+00:00', "
         "'2026-01-01 00:00:00+00:00')")
    assert migrate.upgrade(empty_database) == migrate.head()
    shop = connect(empty_database, secret_key=SECRET, password_hasher=FAST_HASHER)
    session = shop.accounts.login("old@example.com", "correct horse battery")
    assert (session.user.name, session.user.first_name, session.user.display_name) == (
        "Old Timer", "", "Old Timer")
    actor = shop.accounts.authenticate(session.token)
    shop.accounts.update_profile(actor, first_name="Olive", last_name="Timer")
    assert shop.accounts.profile(actor).first_name == "Olive"


def _old_style(url: str, *host_rows: str) -> None:
    """A database as releases before the SDK's own version table left it: at 0001, its
    revision in alembic_version (beside ``host_rows``, a host application's)."""
    assert migrate.upgrade(url, "0001") == "0001"
    _run(url, f"DROP TABLE {migrate.VERSION_TABLE}", HOST_TABLE,
         "INSERT INTO alembic_version VALUES ('0001')",
         *(f"INSERT INTO alembic_version VALUES ('{row}')" for row in host_rows))


def test_an_old_style_database_upgrades_and_drops_the_old_table(empty_database: str) -> None:
    _old_style(empty_database)
    assert migrate.revision_of(empty_database) is None  # the new table is not there yet
    assert migrate.upgrade(empty_database) == migrate.head()
    assert "alembic_version" not in _tables(empty_database)
    assert _rows(empty_database, f"SELECT version_num FROM {migrate.VERSION_TABLE}") == [
        (migrate.head(),)]
    assert migrate.upgrade(empty_database) == migrate.head()  # and again: nothing to do


def test_an_old_style_database_keeps_a_host_row_it_shared(empty_database: str) -> None:
    _old_style(empty_database, "hostapp_7f3a")
    assert migrate.upgrade(empty_database) == migrate.head()
    assert _rows(empty_database, "SELECT version_num FROM alembic_version") == [
        ("hostapp_7f3a",)]
    assert migrate.revision_of(empty_database) == migrate.head()


def _index_definitions(url: str) -> dict[str, str]:
    """Index name -> its definition as the database keeps it."""
    if url.startswith("sqlite"):
        sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    else:
        sql = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
    return {name: " ".join(definition.split()) for name, definition in _rows(url, sql)}


@contextlib.contextmanager
def _declared(empty: str, tmp_path: Path) -> Iterator[str]:
    """Another empty database beside ``empty``, its tables made from schema.py alone."""
    if empty.startswith("sqlite"):
        other = f"sqlite:///{tmp_path / 'declared.db'}"
        _create_all(other)
        yield other
        return
    with derived_postgres(empty, "declared") as other:
        _create_all(other)
        yield other


def _create_all(url: str) -> None:
    engine = sa.create_engine(normalize_url(url))
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()


def test_the_migrations_make_every_index_schema_py_declares(empty_database: str,
                                                           tmp_path: Path) -> None:
    """Each index of schema.py, by name, is defined in the migrated database as
    ``metadata.create_all`` defines it (an expression index's expression included)."""
    migrate.upgrade(empty_database)
    migrated = _index_definitions(empty_database)
    with _declared(empty_database, tmp_path) as declared_url:
        declared = _index_definitions(declared_url)
    names = {str(ix.name) for table in metadata.sorted_tables for ix in table.indexes}
    assert "ix_products_active_rating" in names
    assert {n: migrated.get(n) for n in names} == {n: declared.get(n) for n in names}


def test_an_old_style_sqlite_file_is_upgraded_when_opened(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _old_style(url)
    shop = connect(url, secret_key=SECRET)
    assert shop.catalog.create_category(ADMIN, "Books").name == "Books"
    assert migrate.revision_of(url) == migrate.head()


# Snowflake node ids: leased, never shared by two live shops ----------------------------------
def _leased_on(url: str) -> None:
    shops = [connect(url, secret_key=SECRET) for _ in range(12)]
    nodes = [node_of(shop.ids.next_id()) for shop in shops]
    assert len(set(nodes)) == len(shops), nodes
    held = _rows(url, "SELECT node_id FROM node_leases")
    # each shop's node is leased; a shop of an earlier test that the garbage collector has
    # not reached yet may still hold one more
    assert set(nodes) <= {n for (n,) in held}
    del shops
    gc.collect()
    assert _released(url)  # released once collected


def _released(url: str) -> bool:
    """Whether every lease row is gone within a few seconds (the renewer's thread deletes
    the rows of collected shops; the collecting thread never does)."""
    deadline = time.monotonic() + 10
    while _rows(url, "SELECT node_id FROM node_leases"):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_two_shops_on_one_sqlite_file_never_share_a_node(tmp_path: Path) -> None:
    _leased_on(f"sqlite:///{tmp_path / 'shop.db'}")


def test_two_shops_on_one_postgres_database_never_share_a_node(postgres_url: str) -> None:
    _leased_on(postgres_url)


def test_a_shop_collected_inside_a_sqlite_write_is_released_by_another_thread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A handle's lease is released off the thread that drops it: garbage collection runs
    wherever an allocation triggers it, also inside another handle's write transaction on
    the same SQLite file, where a DELETE of the lease would wait out the busy timeout."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    keep = connect(url, secret_key=SECRET)
    dropped = connect(url, secret_key=SECRET)
    dropped.ids.next_id()
    releasing: list[int] = []
    release = nodes._release

    def spy(*args: Any) -> None:
        releasing.append(threading.get_ident())
        release(*args)

    monkeypatch.setattr(nodes, "_release", spy)
    writer = sqlite3.connect(tmp_path / "shop.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # this thread holds the file's write lock...
    del dropped
    gc.collect()  # ...while the dropped handle is collected
    assert threading.get_ident() not in releasing
    writer.execute("COMMIT")
    writer.close()
    deadline = time.monotonic() + 10
    while len(_rows(url, "SELECT node_id FROM node_leases")) > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [n for (n,) in _rows(url, "SELECT node_id FROM node_leases")] == [
        node_of(keep.ids.next_id())]
    assert releasing and threading.get_ident() not in releasing


def test_shops_starting_together_lease_distinct_nodes(postgres_url: str) -> None:
    nodes: list[int] = []

    def start() -> None:
        shop = connect(postgres_url, secret_key=SECRET)
        nodes.append(shop.ids.next_id())
        keep.append(shop)

    keep: list[object] = []
    assert run_together([start] * 8) == []
    assert len({node_of(i) for i in nodes}) == 8


def test_separate_processes_lease_distinct_nodes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    connect(url, secret_key=SECRET)  # made and migrated once
    code = ("import sys, time; from commerce_adapters import connect;"
            "from commerce_core.ids import node_of;"
            f"s = connect({url!r}, secret_key='x' * 32); print(node_of(s.ids.next_id()),"
            " flush=True); time.sleep(3)")
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
             for _ in range(3)]
    nodes = [int((p.stdout.readline() if p.stdout else "").strip()) for p in procs]
    for p in procs:
        p.wait(timeout=60)
    assert len(set(nodes)) == 3, nodes


def test_a_shop_whose_node_was_taken_over_stops_minting(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    connect(url, secret_key=SECRET)
    first = nodes.leased_ids(url, ttl=0.4)
    first.next_id()
    _run(url, "UPDATE node_leases SET holder = 'another-process', "
              f"expires_at_ms = 9000000000000000 WHERE node_id = {first.node}")
    time.sleep(1.5)  # past its local validity; each renewal since found the node taken
    with pytest.raises(Unavailable, match="no longer leased"):
        first.next_id()
    assert _rows(url, f"SELECT holder FROM node_leases WHERE node_id = {first.node}") == \
        [("another-process",)]  # not taken back (the migrating shop's lease is not asked)


def test_a_configured_node_id_is_used_and_checked(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    monkeypatch.setenv("COMMERCE_NODE_ID", "517")
    assert node_of(connect(url, secret_key=SECRET).ids.next_id()) == 517
    assert _rows(url, "SELECT node_id FROM node_leases") == []  # the operator's choice
    assert node_of(connect(url, secret_key=SECRET, node_id=3).ids.next_id()) == 3
    for bad in ("1024", "-1", "seven"):
        monkeypatch.setenv("COMMERCE_NODE_ID", bad)
        with pytest.raises(ValueError, match="COMMERCE_NODE_ID"):
            connect(url, secret_key=SECRET)


def test_a_forked_child_does_not_mint_on_its_parents_node(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    shop = connect(url, secret_key=SECRET)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: report whether it could mint, and leave without cleanup
        try:
            shop.ids.next_id()
            os.write(write, b"minted")
        except Unavailable:
            os.write(write, b"refused")
        os._exit(0)
    os.waitpid(child, 0)
    assert os.read(read, 16) == b"refused"
    shop.ids.next_id()  # the parent still holds its node
