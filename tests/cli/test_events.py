"""``commerce events dead-letters list|replay`` and ``commerce worker --role`` refusals."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from typer.testing import CliRunner

from commerce_adapters import connect
from commerce_adapters.kafka.bus import KafkaDeadLetters, KafkaEventBus
from commerce_cli.main import app
from commerce_core.bus.consumer import DeadLetter
from commerce_core.bus.envelope import Envelope
from commerce_core.events import OrderPlaced
from commerce_core.money import Money
from tests.conftest import SECRET
from tests.servers import server_url

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
