"""``commerce events dead-letters list|replay`` and ``commerce worker --role`` refusals."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

from typer.testing import CliRunner

from commerce_adapters import connect
from commerce_adapters.kafka.bus import KafkaDeadLetters, KafkaEventBus
from commerce_cli.main import app
from commerce_core.accounts.policy import Actor, Role
from commerce_core.bus.consumer import DeadLetter
from commerce_core.bus.envelope import Envelope
from commerce_core.events import OrderPlaced
from commerce_core.money import Money
from tests.conftest import ADMIN, SECRET, add_product
from tests.servers import server_url
from tests.threads import librdkafka_threads

runner = CliRunner()


def test_roles_need_a_broker_and_a_known_name(tmp_path: Path) -> None:
    db = ["--database-url", f"sqlite:///{tmp_path / 'shop.db'}"]
    env = {"COMMERCE_SECRET_KEY": SECRET}
    result = runner.invoke(app, [*db, "worker", "--role", "notifications"], env=env)
    assert result.exit_code == 1 and "need a broker" in result.stderr
    result = runner.invoke(app, [*db, "events", "dead-letters", "list"], env=env)
    assert result.exit_code == 1 and "need a broker" in result.stderr


def test_dead_letters_are_listed_and_replayed_once(tmp_path: Path) -> None:
    url = f"{server_url('kafka')}?topic_prefix=cli{uuid.uuid4().hex[:8]}.&partitions=1"
    db = f"sqlite:///{tmp_path / 'shop.db'}"
    env = {"COMMERCE_SECRET_KEY": SECRET, "COMMERCE_EVENTS_URL": url}
    shop = connect(db, events_url=url, secret_key=SECRET)
    user = shop.accounts.register("ann@example.com", "correct-horse-42", "Ann")
    event = OrderPlaced(occurred_at=shop.clock.now(), order_id=1, order_number="ORD-1",
                        user_id=user.id, total=Money("5", "USD"))
    bus = shop.publisher
    assert isinstance(bus, KafkaEventBus)
    KafkaDeadLetters(bus).send(DeadLetter("notification-service", Envelope.of(event),
                                          "SMTPServerDisconnected: gone", 5))
    base = ["--database-url", db, "events", "dead-letters"]

    listed = runner.invoke(app, [*base, "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.stderr
    (letter,) = json.loads(listed.stdout)
    assert letter["event_id"] == event.event_id and letter["replayed"] is False
    assert letter["group"] == "notification-service" and "gone" in letter["error"]

    replayed = runner.invoke(app, [*base, "replay", "--role", "notifications", "--json"],
                             env=env)
    assert replayed.exit_code == 0, replayed.stderr
    assert json.loads(replayed.stdout) == {"group": "notification-service", "done": 1}
    assert shop.tx.processed("notification-service", event.event_id)
    again = runner.invoke(app, [*base, "replay", "--role", "notifications", "--json"],
                          env=env)
    assert json.loads(again.stdout) == {"group": "notification-service"}  # nothing left
    (letter,) = json.loads(runner.invoke(app, [*base, "list", "--json"], env=env).stdout)
    assert letter["replayed"] is True
    bus.close()


def test_a_local_command_closes_its_shop_when_it_ends(tmp_path: Path) -> None:
    """Its events are published and its broker's client threads end with the command (a
    session of CLI calls in one process, as here, would pile them up otherwise)."""
    url = f"{server_url('kafka')}?topic_prefix=cli{uuid.uuid4().hex[:8]}.&partitions=1"
    db = tmp_path / "shop.db"
    with connect(f"sqlite:///{db}", secret_key=SECRET) as shop:
        seller = shop.accounts.register("sam@example.com", "correct-horse-42", "Sam")
        shop.accounts.change_role(ADMIN, seller.id, Role.SELLER)
        variant = add_product(shop, shop.catalog.create_category(ADMIN, "Lamps").id,
                              seller=Actor.seller(seller.id)).variants[0]
    env = {"COMMERCE_SECRET_KEY": SECRET, "COMMERCE_EVENTS_URL": url}
    before = librdkafka_threads()
    for _ in range(2):  # each records a stock event: a producer connects to publish it
        result = runner.invoke(app, ["--database-url", f"sqlite:///{db}", "seller", "--as",
                                     "sam@example.com", "inventory", "restock",
                                     str(variant.id), "5"], env=env)
        assert result.exit_code == 0, result.stderr
    with sqlite3.connect(db) as conn:  # published (and stamped so) before the command ended
        assert conn.execute("SELECT count(*) FROM outbox WHERE published_at IS NULL"
                            ).fetchone() == (0,)
    assert librdkafka_threads() == before, "a command's producer is still running"
