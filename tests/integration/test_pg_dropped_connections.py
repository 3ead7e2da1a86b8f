"""A database that drops every connection (a restart, a failover) costs at most one failed
request per pool, answered as a transient error, never a driver traceback; the pool then
reconnects by itself. No round trip is spent testing connections before use."""

from __future__ import annotations

import sqlalchemy as sa

from commerce_adapters.fake.payments import FakeGateway
from commerce_adapters.sql.database import PoolSettings, normalize_url
from commerce_core.clock import ManualClock
from commerce_core.errors import TransientError
from tests.conftest import ADMIN, make_shop

APP = "commerce_dropped_connections_test"


def drop_every_connection(url: str) -> int:
    """What a server restart does to the shop's pool: every session of the shop ends (only
    the shop's, found by its application name: the test run's other pools stay up)."""
    killer = sa.create_engine(normalize_url(url), poolclass=sa.pool.NullPool)
    with killer.connect() as conn:
        ended = conn.exec_driver_sql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %(app)s",
            {"app": APP}).scalar_one()
    killer.dispose()
    return int(ended)


def test_a_restart_costs_at_most_one_failed_request(postgres_url: str) -> None:
    assert not PoolSettings().pre_ping  # the default: no test query before each borrow
    named = sa.engine.make_url(postgres_url).update_query_dict({"application_name": APP})
    shop = make_shop(ManualClock(), FakeGateway(), named.render_as_string(hide_password=False))
    shop.catalog.create_category(ADMIN, "Lamps")
    for _ in range(3):  # several pooled connections, all about to die
        shop.catalog.categories()
    assert drop_every_connection(postgres_url) >= 1  # the pool's connections, at least one
    failures = 0
    for _ in range(10):
        try:
            assert [c.name for c in shop.catalog.categories()] == ["Lamps"]
        except TransientError:  # the one request that met a dead connection
            failures += 1
    assert failures <= 1, failures
