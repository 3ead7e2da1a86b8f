"""The Kafka event bus: envelopes produced to the seed's topics, consumed by groups.

Publishing is what the outbox's delivery (and its relay) call: each event becomes an
:class:`~commerce_core.bus.envelope.Envelope` on its seed topic, keyed by its aggregate, so
every event of one order lands on one partition in the order published. The producer is
idempotent (``enable.idempotence``: no duplicates or reordering from its own retries) and a
publish returns only once the brokers acknowledged every message (``acks=all``), or raises,
which leaves the events in the outbox for the relay.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition
from confluent_kafka.admin import (  # type: ignore[attr-defined]
    AdminClient,
    NewTopic,
)

from commerce_adapters.kafka.settings import KafkaSettings
from commerce_core.bus.consumer import Backoff, DeadLetter, Dispatcher
from commerce_core.bus.envelope import Envelope
from commerce_core.bus.ports import Handler
from commerce_core.errors import CommerceError
from commerce_core.events import DomainEvent

log = logging.getLogger(__name__)


class BrokerUnavailable(CommerceError):
    code = "event_bus_unavailable"


class KafkaEventBus:
    """:class:`~commerce_core.bus.ports.EventBus` on Kafka (see the module's doc).

    ``subscribe`` runs a consumer of the group ``events`` (``group_prefix`` before it) in a
    thread of this process, for a bus used on its own; a shop's consumer groups run as
    ``commerce worker --role ...`` (:meth:`consume`)."""

    def __init__(self, url: str) -> None:
        self.settings = KafkaSettings.from_url(url)
        self._producer: Producer | None = None
        self._lock = threading.Lock()
        self._topics_made = False
        self._local: Dispatcher | None = None
        self._local_stop = threading.Event()
        self._local_thread: threading.Thread | None = None
        self.handled = 0  # envelopes the local consumer has finished with
        # after a failed publish, publishing fails at once until then (time.monotonic()):
        # a commit does not wait out the timeout again while the brokers are away, and the
        # relay sends what piled up, in order, once they are back
        self._down_until = 0.0
        self.retry_after = 5.0

    # Publishing -------------------------------------------------------------------------
    def producer(self) -> Producer:
        with self._lock:
            if self._producer is None:
                self._producer = Producer(self.settings.config(**{
                    "enable.idempotence": True, "acks": "all", "linger.ms": 2,
                    "message.timeout.ms": int(self.settings.publish_timeout * 1000)}))
            return self._producer

    def publish(self, events: Sequence[DomainEvent]) -> None:
        if not events:
            return
        if time.monotonic() < self._down_until:
            raise BrokerUnavailable("kafka: brokers unreachable at the last attempt; "
                                    "the outbox relay will publish these")
        try:
            self.ensure_topics()
            self.produce([Envelope.of(e) for e in events])
        except BrokerUnavailable:
            self._down_until = time.monotonic() + self.retry_after
            raise

    def produce(self, envelopes: Sequence[Envelope], topic: str | None = None) -> None:
        """Produce and wait for every acknowledgement; BrokerUnavailable if one failed or
        did not come within ``publish_timeout``."""
        producer = self.producer()
        failures: list[str] = []

        def delivered(err: KafkaError | None, _msg: Message) -> None:
            if err is not None:
                failures.append(err.str())

        for envelope in envelopes:
            self._produce(producer, topic or self.settings.topic(envelope.topic),
                          envelope.aggregate_id, envelope.encode(), delivered,
                          {"type": envelope.type, "schema_version": str(envelope.schema_version)})
        left = producer.flush(self.settings.publish_timeout)
        if left:  # never sent later, behind events published after these
            producer.purge()
            producer.flush(0)
        if failures or left:
            raise BrokerUnavailable(f"kafka: {len(failures) or left} of {len(envelopes)} "
                                    f"events not acknowledged ({(failures or ['timeout'])[0]})")

    @staticmethod
    def _produce(producer: Producer, topic: str, key: str, value: bytes, on_delivery: Any,
                 headers: dict[str, str | bytes | None]) -> None:
        while True:
            try:
                producer.produce(topic, value=value, key=key, headers=headers,
                                 on_delivery=on_delivery)
                return
            except BufferError:  # the local queue is full: let deliveries drain it
                producer.poll(0.1)

    def ensure_topics(self) -> None:
        """Create the seed's topics and the dead-letter topic where they are missing."""
        if self._topics_made:
            return
        s = self.settings
        admin = AdminClient(s.config())
        try:
            existing = set(admin.list_topics(timeout=s.publish_timeout).topics)
        except KafkaException as ex:
            raise BrokerUnavailable(f"kafka: {ex}") from ex
        wanted = [t for t in [*s.topics, s.dead_letter_topic] if t not in existing]
        if wanted:
            futures = admin.create_topics([NewTopic(t, s.partitions, s.replication)
                                           for t in wanted])
            for topic, future in futures.items():
                try:
                    future.result(s.publish_timeout)
                except KafkaException as ex:
                    if ex.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                        raise BrokerUnavailable(f"kafka: creating {topic}: {ex}") from ex
        self._topics_made = True

    # Consuming --------------------------------------------------------------------------
    def consumer(self, group: str, **extra: Any) -> Consumer:
        return Consumer(self.settings.config(**{
            "group.id": group, "enable.auto.commit": False, "auto.offset.reset": "earliest",
            "session.timeout.ms": 10000, "heartbeat.interval.ms": 1000, **extra}))

    def consume(self, dispatcher: Dispatcher, stop: threading.Event, batch: int = 200,
                on_batch: Any = None) -> None:
        """Run ``dispatcher``'s group until ``stop`` is set: poll a batch, handle each
        envelope, then commit the offsets (after the work: a crash redelivers). The batch
        being handled when ``stop`` is set is finished and committed first."""
        self.ensure_topics()
        consumer = self.consumer(self.settings.group(dispatcher.group))
        consumer.subscribe(self.settings.topics)
        try:
            while not stop.is_set():
                messages = self._next_batch(consumer, batch)
                handled = [m for m in messages if self._handle(dispatcher, m)]
                if handled:
                    consumer.commit(asynchronous=False)
                if on_batch is not None and messages:
                    on_batch(len(handled))
        finally:
            consumer.close()  # leaves the group at once: its partitions move on

    @staticmethod
    def _next_batch(consumer: Consumer, batch: int) -> list[Message]:
        """What has arrived, up to ``batch``, as soon as anything has (``consume`` alone
        would wait for a full batch or its whole timeout: latency for nothing)."""
        first = consumer.poll(0.2)
        if first is None:
            return []
        return [first, *consumer.consume(num_messages=batch - 1, timeout=0)]

    def _handle(self, dispatcher: Dispatcher, message: Message) -> bool:
        """False for a broker-side error (nothing to commit for it)."""
        err = message.error()
        if err is not None:
            if err.code() != KafkaError._PARTITION_EOF:
                log.warning("kafka consumer %s: %s", dispatcher.group, err.str())
            return False
        try:
            envelope = Envelope.decode(message.value() or b"")
        except ValueError as ex:  # not ours: kept on its topic, skipped here
            log.warning("%s: skipping %s[%d]@%d: %s", dispatcher.group, message.topic(),
                        message.partition(), message.offset(), ex)
            return True
        dispatcher.handle(envelope)
        return True

    # The bus's own subscribers ----------------------------------------------------------
    def subscribe(self, event_type: type[DomainEvent], handler: Handler) -> None:
        with self._lock:
            if self._local is None:
                self._local = Dispatcher(self.settings.group("events"),
                                         backoff=Backoff(attempts=3),
                                         dead_letters=KafkaDeadLetters(self))
            self._local.subscribe(event_type, handler)
            if self._local_thread is None:
                local = self._local

                def count(n: int) -> None:
                    self.handled += n
                self._local_thread = threading.Thread(
                    target=self.consume, args=(local, self._local_stop), daemon=True,
                    kwargs={"on_batch": count}, name="commerce-kafka-consumer")
                self._local_thread.start()

    def dead_letter_box(self) -> KafkaDeadLetters:
        return KafkaDeadLetters(self)

    def close(self) -> None:
        self._local_stop.set()
        if self._local_thread is not None:
            self._local_thread.join(30)
        with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            # flushed, then let go: librdkafka ends a client's threads only when the client
            # is destroyed, and a closed bus kept one polling its brokers for good
            producer.flush(self.settings.publish_timeout)


class KafkaDeadLetters:
    """The dead-letter topic: one message per envelope a group gave up on, keyed by group."""

    def __init__(self, bus: KafkaEventBus) -> None:
        self._bus = bus

    def send(self, letter: DeadLetter) -> None:
        body = {"group": letter.group, "envelope": letter.envelope.to_dict(),
                "error": letter.error, "attempts": letter.attempts,
                "failed_at": datetime.now(UTC).isoformat()}
        self._bus.ensure_topics()
        producer = self._bus.producer()
        failures: list[str] = []
        producer.produce(self._bus.settings.dead_letter_topic, key=letter.group,
                         value=json.dumps(body).encode(),
                         on_delivery=lambda err, _m: failures.append(err.str()) if err else None)
        if producer.flush(self._bus.settings.publish_timeout) or failures:
            raise BrokerUnavailable(f"kafka: dead letter not kept: {failures or 'timeout'}")

    def _replay_group(self, group: str) -> str:
        return self._bus.settings.group(f"{group}.replay")

    def letters(self, group: str | None = None) -> list[dict[str, Any]]:
        """Every letter on the topic (of ``group``, if given), oldest first, each with its
        ``offset``, ``partition`` and ``replayed`` (a replay of its group has passed it)."""
        found: list[dict[str, Any]] = []
        for partition, offset, body in self._read():
            if group is not None and body["group"] != group:
                continue
            found.append({**body, "partition": partition, "offset": offset})
        for g in {str(b["group"]) for b in found}:
            done = self._committed(self._replay_group(g))
            for b in found:
                if b["group"] == g:
                    b["replayed"] = b["offset"] < done.get(b["partition"], 0)
        return found

    def replay(self, dispatcher: Dispatcher) -> dict[str, int]:
        """Give the group's letters not yet replayed to ``dispatcher`` again; one that fails
        again becomes a new letter. Counts by outcome."""
        counts: dict[str, int] = {}
        done = self._committed(self._replay_group(dispatcher.group))
        last: dict[int, int] = {}
        for partition, offset, body in self._read():
            if offset < done.get(partition, 0):
                continue
            last[partition] = offset + 1
            if body["group"] != dispatcher.group:
                continue
            outcome = dispatcher.replay(Envelope.from_dict(body["envelope"]))
            counts[outcome.value] = counts.get(outcome.value, 0) + 1
        self._commit(self._replay_group(dispatcher.group), last)
        return counts

    def _read(self) -> Iterator[tuple[int, int, dict[str, Any]]]:
        """Every letter now on the topic, by partition then offset."""
        self._bus.ensure_topics()
        topic = self._bus.settings.dead_letter_topic
        consumer = self._bus.consumer(f"commerce-dead-letter-reader-{uuid.uuid4().hex}")
        try:
            meta = consumer.list_topics(topic, timeout=self._bus.settings.publish_timeout)
            for partition in sorted(meta.topics[topic].partitions):
                low, high = consumer.get_watermark_offsets(
                    TopicPartition(topic, partition), timeout=self._bus.settings.publish_timeout)
                if high <= low:
                    continue
                consumer.assign([TopicPartition(topic, partition, low)])
                offset = low
                while offset < high:
                    message = consumer.poll(5.0)
                    if message is None:
                        break
                    if message.error() is not None:
                        continue
                    offset = (message.offset() or 0) + 1
                    yield partition, offset - 1, json.loads(message.value() or b"{}")
        finally:
            consumer.close()

    def _committed(self, group: str) -> dict[int, int]:
        topic = self._bus.settings.dead_letter_topic
        consumer = self._bus.consumer(group)
        try:
            meta = consumer.list_topics(topic, timeout=self._bus.settings.publish_timeout)
            parts = [TopicPartition(topic, p) for p in meta.topics[topic].partitions]
            return {tp.partition: tp.offset for tp in consumer.committed(
                parts, timeout=self._bus.settings.publish_timeout) if tp.offset >= 0}
        finally:
            consumer.close()

    def _commit(self, group: str, offsets: dict[int, int]) -> None:
        if not offsets:
            return
        topic = self._bus.settings.dead_letter_topic
        consumer = self._bus.consumer(group)
        try:
            consumer.commit(offsets=[TopicPartition(topic, p, o) for p, o in offsets.items()],
                            asynchronous=False)
        finally:
            consumer.close()

