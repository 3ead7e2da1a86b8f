"""The SQL backend as users meet it: the embedded default, migrations, replicas, failures."""

from __future__ import annotations

import functools
import runpy
from pathlib import Path

import pytest
import sqlalchemy as sa

from commerce_adapters import connect
from commerce_adapters.fake.payments import FakeGateway
from commerce_adapters.sql import migrate
from commerce_adapters.sql.database import normalize_url
from commerce_core.accounts.policy import Actor
from commerce_core.catalog.model import Category
from commerce_core.clock import ManualClock
from commerce_core.errors import InsufficientStock, TransientError, Unavailable
from commerce_core.money import Money
from commerce_core.payments.model import RefundState
from tests.concurrency import run_together
from tests.conftest import ADMIN, HOME, SECRET, add_product, make_shop
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
