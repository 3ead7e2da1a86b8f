"""Events through Kafka: the outbox relay's throughput and commit-to-consumer latency,
beside a bare confluent-kafka producer (and consumer) in the same run.

    python benchmarks/events.py --kafka kafka://127.0.0.1:9092 [--database URL] [--json]

relay: ``--events`` outbox rows (written beforehand) published by ``OutboxRelay.run_once``
(claim, produce, wait for the acks, stamp, commit) until none is left; baseline: the same
number of messages of the same size produced by one idempotent producer (``acks=all``) and
flushed. latency: ``--samples`` single-event commits through a shop (published after the
commit by the delivery thread), each timed from its commit to a consumer group's handler;
baseline: one message produced and flushed, timed to a bare consumer's poll.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, Producer

from commerce_adapters import connect
from commerce_adapters.kafka.bus import KafkaEventBus
from commerce_core.bus.consumer import Dispatcher
from commerce_core.bus.envelope import Envelope
from commerce_core.events import DomainEvent, OrderPlaced
from commerce_core.money import Money

SECRET = "benchmark-secret-that-is-long-enough-for-hs256"


def _event(shop: Any, n: int) -> OrderPlaced:
    return OrderPlaced(occurred_at=shop.clock.now(), order_id=n, order_number=f"ORD-{n:06d}",
                       user_id=n % 97, total=Money("19.99", "USD"))


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def relay_rate(shop: Any, events: int) -> float:
    for start in range(0, events, 500):  # outbox rows, as commits leave them
        with shop.uow_factory() as uow:
            uow.record(*(_event(shop, n) for n in range(start, min(events, start + 500))))
            uow.commit()
    shop.outbox.grace = timedelta(0)
    time.sleep(0.01)  # the relay takes rows created before now
    began = time.perf_counter()
    relayed = 0
    while (n := shop.outbox.run_once(limit=500)) > 0:
        relayed += n
    wall = time.perf_counter() - began
    assert relayed == events, f"relayed {relayed} of {events}"
    return relayed / wall


def bare_rate(bus: KafkaEventBus, events: int, size: int) -> float:
    topic = bus.settings.topic("bare")
    producer = Producer(bus.settings.config(**{"enable.idempotence": True, "acks": "all",
                                               "linger.ms": 2}))
    value = b"x" * size
    began = time.perf_counter()
    for n in range(events):
        while True:
            try:
                producer.produce(topic, value=value, key=str(n % 97))
                break
            except BufferError:
                producer.poll(0.05)
    assert producer.flush(60) == 0
    return events / (time.perf_counter() - began)


def shop_latency(shop: Any, bus: KafkaEventBus, samples: int) -> list[float]:
    received: dict[str, float] = {}
    group = Dispatcher(f"bench-{uuid.uuid4().hex[:6]}")
    group.subscribe(DomainEvent, lambda e: received.__setitem__(e.event_id,
                                                                time.perf_counter()))
    stop = threading.Event()
    consumer = threading.Thread(target=bus.consume, args=(group, stop), daemon=True)
    consumer.start()
    _wait_joined(shop, received)
    committed: dict[str, float] = {}
    for n in range(samples):
        event = _event(shop, 10_000_000 + n)
        with shop.tx() as uow:
            uow.record(event)
        committed[event.event_id] = time.perf_counter()
        time.sleep(0.005)
    deadline = time.monotonic() + 60
    while not all(k in received for k in committed) and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    consumer.join(30)
    return [(received[k] - t) * 1000 for k, t in committed.items() if k in received]


def _wait_joined(shop: Any, received: dict[str, float]) -> None:
    """Until the group has its partitions: one warm-up event gets through."""
    event = _event(shop, 99_999_999)
    with shop.tx() as uow:
        uow.record(event)
    deadline = time.monotonic() + 60
    while event.event_id not in received:
        if time.monotonic() > deadline:
            raise TimeoutError("the consumer group never received the warm-up event")
        time.sleep(0.05)


def bare_latency(bus: KafkaEventBus, samples: int, size: int) -> list[float]:
    topic = bus.settings.topic("bare-latency")
    producer = Producer(bus.settings.config(**{"enable.idempotence": True, "acks": "all",
                                               "linger.ms": 2}))
    producer.produce(topic, value=b"warm")
    producer.flush(30)
    consumer = Consumer(bus.settings.config(**{
        "group.id": f"bare-{uuid.uuid4().hex[:6]}", "auto.offset.reset": "earliest"}))
    consumer.subscribe([topic])
    while (m := consumer.poll(1.0)) is None or m.error() is not None:
        pass
    times = []
    for n in range(samples):
        began = time.perf_counter()
        producer.produce(topic, value=b"x" * size, key=str(n))
        producer.flush(30)
        while (m := consumer.poll(5.0)) is None or m.error() is not None:
            pass
        times.append((time.perf_counter() - began) * 1000)
    consumer.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kafka", default=os.environ.get("COMMERCE_TEST_KAFKA_URL")
                        or os.environ.get("COMMERCE_EVENTS_URL"))
    parser.add_argument("--database", default=None, help="default: a new SQLite file")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.kafka:
        parser.error("--kafka URL (or COMMERCE_TEST_KAFKA_URL) is needed")
    run = uuid.uuid4().hex[:8]
    url = f"{args.kafka}{'&' if '?' in args.kafka else '?'}topic_prefix=bench{run}."
    database = args.database or f"sqlite:///{Path(tempfile.mkdtemp()) / 'events.db'}"
    shop = connect(database, events_url=url, secret_key=SECRET, notify_url="memory://")
    bus = shop.publisher
    assert isinstance(bus, KafkaEventBus)
    bus.ensure_topics()
    size = len(Envelope.of(_event(shop, 1)).encode())
    relay, bare = relay_rate(shop, args.events), bare_rate(bus, args.events, size)
    ours, theirs = shop_latency(shop, bus, args.samples), bare_latency(bus, args.samples, size)
    result = {
        "database": database.split(":")[0], "events": args.events, "message_bytes": size,
        "relay_events_per_s": round(relay), "bare_produce_per_s": round(bare),
        "relay_vs_bare": round(relay / bare, 3),
        "latency_ms": {"p50": round(statistics.median(ours), 2),
                       "p99": round(_percentile(ours, 99), 2), "samples": len(ours)},
        "bare_latency_ms": {"p50": round(statistics.median(theirs), 2),
                            "p99": round(_percentile(theirs, 99), 2)},
    }
    bus.close()
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print("| database | events | relayed/s | bare produce/s | ratio | latency p50 / p99 ms "
          "| bare p50 / p99 ms |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {result['database']} | {args.events} | {result['relay_events_per_s']} | "
          f"{result['bare_produce_per_s']} | {result['relay_vs_bare']} | "
          f"{result['latency_ms']['p50']} / {result['latency_ms']['p99']} | "
          f"{result['bare_latency_ms']['p50']} / {result['bare_latency_ms']['p99']} |")


if __name__ == "__main__":
    main()
