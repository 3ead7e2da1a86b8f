"""``shop.close()`` on every server at once: the database's connections, the catalog's
MongoDB client and its monitor threads, the Redis parts' connections and the Kafka
producer's threads are all gone after it, so a process that opens and closes shops (a test
run, a CLI session, an app that reconnects) does not pile them up."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

import redis
import sqlalchemy as sa

from commerce_adapters import connect
from commerce_adapters.elasticsearch.search import ElasticsearchSearchIndex
from commerce_core.accounts.policy import Actor
from commerce_core.clock import ManualClock
from tests.conftest import ADMIN, FAST_HASHER, SECRET, add_product
from tests.mongo_servers import fresh_mongo
from tests.servers import server_url
from tests.sql_servers import fresh_postgres
from tests.threads import librdkafka_threads

APP = f"close-{uuid.uuid4().hex[:8]}"  # the shop's connections carry this name


def pg_connections(admin: sa.Engine) -> int:
    with admin.connect() as conn:
        return int(conn.execute(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = :app"),
            {"app": APP}).scalar_one())


def redis_connections(client: redis.Redis) -> int:
    return sum(c.get("name") == APP for c in client.client_list())


def python_threads() -> set[str]:
    """This process's threads but the process-wide ones a shop starts once and keeps (event
    delivery, node-lease renewal)."""
    return {t.name for t in threading.enumerate()} - {"commerce-events", "node-leases"}


def eventually(check: Callable[[], bool], what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_closing_a_shop_lets_go_of_every_servers_connections_and_threads() -> None:
    database = sa.engine.make_url(fresh_postgres(server_url("postgres"))).update_query_dict(
        {"application_name": APP})
    redis_url = f"{server_url('redis')}?client_name={APP}"
    alias = f"commerce-close-{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(database.set(query={}))
    watcher = redis.Redis.from_url(server_url("redis"))
    threads, rdk = python_threads(), librdkafka_threads()

    shop = connect(
        database.render_as_string(hide_password=False), clock=ManualClock(),
        secret_key=SECRET, password_hasher=FAST_HASHER, notify_url="memory://",
        catalog_url=fresh_mongo(server_url("mongo")), cart_url=redis_url,
        sessions_url=redis_url, cache_url=redis_url,
        search_url=f"{server_url('elasticsearch')}/{alias}".replace("http://",
                                                                   "elasticsearch://"),
        events_url=f"{server_url('kafka')}?topic_prefix={APP}.&partitions=1")
    try:  # a little of everything, so every part has connected
        product = add_product(shop, shop.catalog.create_category(ADMIN, "Lamps").id)
        user = shop.accounts.register("ann@example.com", "correct-horse-42", "Ann")
        token = shop.accounts.login("ann@example.com", "correct-horse-42").token
        shop.accounts.authenticate(token)
        shop.cart.add_item(Actor.customer(user.id), product.id)
        shop.cached.fetch("close-probe", 60, lambda: b"x")
        shop.search.search(text="lamp")
        assert pg_connections(admin) > 0 and redis_connections(watcher) > 0
        assert librdkafka_threads() > rdk and python_threads() > threads  # pymongo's
    finally:
        index = shop.search.index
        assert isinstance(index, ElasticsearchSearchIndex)
        index.drop()
        shop.close()

    eventually(lambda: pg_connections(admin) == 0, "the database's connections closed")
    eventually(lambda: redis_connections(watcher) == 0, "the Redis parts' connections closed")
    eventually(lambda: librdkafka_threads() == rdk, "the Kafka producer's threads ended")
    eventually(lambda: python_threads() <= threads, "the MongoDB client's threads ended")
    admin.dispose()
    watcher.close()
