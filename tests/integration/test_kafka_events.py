"""The outbox through Kafka to consumer groups, across a broker outage and a worker crash.

The broker here is a process of the test's own (the Kafka-protocol stand-in's binary that
``scripts/test-servers.sh`` installs, or ``COMMERCE_TEST_KAFKA_BIN``), because the test stops
and restarts it; it runs wherever ``COMMERCE_TEST_KAFKA_URL`` is set.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from commerce_adapters.fake.payments import FakeGateway
from commerce_adapters.kafka.bus import KafkaEventBus
from commerce_cli.worker import dispatcher_for
from commerce_core.bus.consumer import Dispatcher
from commerce_core.clock import ManualClock
from commerce_core.events import DomainEvent, ProductCreated
from commerce_core.facade import Commerce
from commerce_core.notifications.service import EVENTS as NOTIFIED
from tests.conftest import ADMIN, HOME, SECRET, add_product, make_shop, register
from tests.servers import server_url
from tests.threads import librdkafka_threads

pytestmark = pytest.mark.timeout(600)


def _noida_binary() -> Path:
    given = os.environ.get("COMMERCE_TEST_KAFKA_BIN")
    if given:
        return Path(given)
    cache = Path(os.environ.get("COMMERCE_TEST_SERVERS_DIR",
                                Path.home() / ".cache" / "commerce-test-servers"))
    found = sorted(cache.glob("tools/lib/python*/site-packages/noida_db/noida-db"))
    if not found:
        pytest.fail(f"no Kafka-protocol broker binary under {cache} (run "
                    "scripts/test-servers.sh once, or set COMMERCE_TEST_KAFKA_BIN)")
    return found[0]


class Broker:
    """A broker process on a port and data dir of its own: stopped and started again with
    its data (topics, messages, committed offsets) kept."""

    def __init__(self, data: Path) -> None:
        self.binary = _noida_binary()
        self.data = data
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"kafka://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(self.binary), "start", "--data-dir", str(self.data), "--host", "127.0.0.1",
             "--only", "kafka", "--kafka-port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "the broker did not start"
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    server_url("kafka")  # a Kafka-protocol server is configured (else skipped, as all are)
    b = Broker(tmp_path / "broker")
    b.start()
    yield b
    b.stop()


def outbox_events(db: Path) -> list[dict[str, object]]:
    with sqlite3.connect(db) as conn:
        return [json.loads(r[0]) for r in conn.execute("SELECT event FROM outbox ORDER BY id")]


def pending(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(
            "SELECT count(*) FROM outbox WHERE published_at IS NULL").fetchone()[0])


def wait_for(check: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def buyers(shop: Commerce, n: int) -> list[object]:
    return [register(shop, f"buyer{i}@example.test") for i in range(n)]


def test_every_event_reaches_every_group_once_across_a_broker_outage(
        broker: Broker, tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    clock = ManualClock()
    shop = make_shop(clock, FakeGateway(), f"sqlite:///{db}",
                     events_url=f"{broker.url}?topic_prefix=outage.&publish_timeout=2")
    bus = shop.publisher
    assert isinstance(bus, KafkaEventBus)
    bus.retry_after = 0.5
    shop.outbox.grace = timedelta(0)
    product = add_product(shop, shop.catalog.create_category(ADMIN, "C").id, stock=1000)
    people = buyers(shop, 200)

    effects: list[str] = []
    counter = Dispatcher("counter", shop.tx)
    counter.subscribe(DomainEvent, lambda e: effects.append(e.event_id))
    groups = [dispatcher_for(shop, "notifications"), counter]
    stop = threading.Event()
    consumers = [threading.Thread(target=bus.consume, args=(g, stop)) for g in groups]
    for t in consumers:
        t.start()

    broker.stop()
    for buyer in people:
        shop.cart.add_item(buyer, product.id, 1)  # type: ignore[arg-type]
        shop.checkout.place_order(buyer, HOME, payment_token="tok_visa")  # type: ignore[arg-type]
    assert pending(db) >= 600  # placed, paid, confirmed... all waiting in the outbox
    broker.start()
    clock.advance(timedelta(seconds=1))  # the relay takes what is older than its grace

    def relayed() -> bool:
        shop.outbox.run_once()
        return pending(db) == 0
    wait_for(relayed, "the relay to empty the outbox")
    every = [e["event_id"] for e in outbox_events(db)]
    wait_for(lambda: len(set(effects)) == len(every), "the counter group")
    notified = [e["event_id"] for e in outbox_events(db)
                if e["name"] in {t.__name__ for t in NOTIFIED}]
    wait_for(lambda: all(shop.tx.processed("notification-service", str(i)) for i in notified),
             "the notification group")
    stop.set()
    for t in consumers:
        t.join(30)

    assert collections.Counter(effects) == collections.Counter(set(every))  # each once
    shop.notifications.deliver_due(limit=10_000)
    notifier = shop.notifications._notifier
    emails = collections.Counter((m.event_id, m.type.value) for m in notifier.sent  # type: ignore[attr-defined]
                                 if m.channel.value == "email")
    placed = [e["event_id"] for e in outbox_events(db) if e["name"] == "OrderPlaced"]
    assert len(placed) == 200
    assert all(emails[(i, "order_placed")] == 1 for i in placed)  # one e-mail per order
    assert max(emails.values()) == 1


def _worker(db: Path, url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "COMMERCE_DATABASE_URL": f"sqlite:///{db}",
           "COMMERCE_EVENTS_URL": url, "COMMERCE_SECRET_KEY": SECRET,
           "COMMERCE_NOTIFY_URL": "memory://", "COMMERCE_NODE_ID": "77"}
    return subprocess.Popen([sys.executable, "-m", "commerce_cli", "worker", "--role",
                             "notifications"], env=env, stdout=log.open("ab"),
                            stderr=subprocess.STDOUT)


def _processed(db: Path) -> int:
    with sqlite3.connect(db, timeout=30) as conn:
        return int(conn.execute("SELECT count(*) FROM processed_events WHERE "
                                "consumer_group = 'notification-service'").fetchone()[0])


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
        broker: Broker, tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    url = f"{broker.url}?topic_prefix=crash."
    shop = make_shop(ManualClock(), FakeGateway(), f"sqlite:///{db}", events_url=url)
    product = add_product(shop, shop.catalog.create_category(ADMIN, "C").id, stock=1000)
    for buyer in buyers(shop, 150):
        shop.cart.add_item(buyer, product.id, 1)  # type: ignore[arg-type]
        shop.checkout.place_order(buyer, HOME, payment_token="tok_visa")  # type: ignore[arg-type]
    shop.tx.flush_marks()
    assert pending(db) == 0  # every event on the broker before any worker runs
    notified = {e["event_id"] for e in outbox_events(db)
                if e["name"] in {t.__name__ for t in NOTIFIED}}
    log = tmp_path / "worker.log"

    first = _worker(db, url, log)
    wait_for(lambda: _processed(db) >= 20, "the first worker to start its batch")
    first.send_signal(signal.SIGKILL)  # no goodbye: its batch's offsets are not committed
    first.wait(10)
    done_before = _processed(db)
    assert done_before < len(notified), "the kill came after the batch; nothing was tested"
    # Kafka evicts the dead member after its session timeout (10 s) and hands its
    # partitions on; the stand-in never evicts one, so its group would wait forever.
    # Restarting it forgets the members and keeps the committed offsets.
    broker.stop()
    broker.start()

    second = _worker(db, url, log)
    wait_for(lambda: _processed(db) == len(notified), "the second worker", timeout=180)
    second.send_signal(signal.SIGTERM)  # graceful: finishes and commits its batch
    assert second.wait(30) == 0, log.read_text()

    with sqlite3.connect(db) as conn:
        rows = list(conn.execute("SELECT event_id, channel, count(*) FROM notifications "
                                 "GROUP BY event_id, channel"))
        groups = {r[0] for r in conn.execute(
            "SELECT event_id FROM processed_events WHERE consumer_group = "
            "'notification-service'")}
    assert groups == notified  # nothing lost
    assert all(count == 1 for _, _, count in rows)  # nothing twice
    placed = {e["event_id"] for e in outbox_events(db) if e["name"] == "OrderPlaced"}
    assert placed <= {event_id for event_id, channel, _ in rows if channel == "email"}


def test_a_closed_bus_leaves_no_client_threads() -> None:
    """A closed bus lets its producer go (see librdkafka_threads)."""
    run = os.urandom(4).hex()
    bus = KafkaEventBus(f"{server_url('kafka')}?topic_prefix=c{run}.&partitions=1"
                        "&publish_timeout=10")
    before = librdkafka_threads()
    bus.publish([ProductCreated(occurred_at=ManualClock().now(), product_id=1, seller_id=7)])
    assert librdkafka_threads() > before  # the producer's own threads
    bus.close()
    deadline = time.monotonic() + 10
    while librdkafka_threads() > before:
        assert time.monotonic() < deadline, f"{librdkafka_threads() - before} threads left"
        time.sleep(0.1)
