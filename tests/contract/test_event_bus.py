"""Contract of the event bus port, for every adapter of it: a new adapter adds one entry to
BUSES."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import UTC, datetime

import attrs
import pytest

from commerce_adapters.memory.bus import InProcessEventBus
from commerce_core.bus.envelope import aggregate_of, topic_of
from commerce_core.bus.ports import EventBus
from commerce_core.events import DomainEvent, OrderPlaced, ProductCreated, ProductUpdated
from commerce_core.money import Money
from tests.servers import server_url


@attrs.define
class BusUnderTest:
    bus: EventBus
    # Returns once everything published so far has reached the handlers: at once in process;
    # a broker-backed bus waits for its consumers to catch up.
    settle: Callable[[], None]


def _in_process() -> Generator[BusUnderTest, None, None]:
    yield BusUnderTest(InProcessEventBus(), lambda: None)


def _kafka() -> Generator[BusUnderTest, None, None]:
    from commerce_adapters.kafka.bus import KafkaEventBus  # noqa: PLC0415

    # a prefix and a group of its own per test: topics start empty, offsets at the start
    run = uuid.uuid4().hex[:8]
    bus = KafkaEventBus(f"{server_url('kafka')}?topic_prefix=t{run}.&group_prefix=g{run}."
                        "&partitions=1&publish_timeout=10")
    published = 0
    publish = bus.publish

    def counted(events: Sequence[DomainEvent]) -> None:
        nonlocal published
        publish(events)
        published += len(events)

    def settle() -> None:
        deadline = time.monotonic() + 30
        while bus.handled < published:
            assert time.monotonic() < deadline, f"{bus.handled} of {published} consumed"
            time.sleep(0.05)

    bus.publish = counted  # type: ignore[method-assign]
    yield BusUnderTest(bus, settle)
    bus.close()


BUSES: dict[str, Callable[[], Generator[BusUnderTest, None, None]]] = {
    "in_process": _in_process, "kafka": _kafka}

AT = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(params=sorted(BUSES))
def under_test(request: pytest.FixtureRequest) -> Iterator[BusUnderTest]:
    gen = BUSES[request.param]()
    yield next(gen)
    next(gen, None)  # the rest of the factory: its clean-up (close() would skip it)


def product_created(product_id: int) -> ProductCreated:
    return ProductCreated(occurred_at=AT, product_id=product_id, seller_id=7)


def order_placed(order_id: int) -> OrderPlaced:
    return OrderPlaced(occurred_at=AT, order_id=order_id, order_number=f"ORD-{order_id:06d}",
                       user_id=456, total=Money("19.99", "USD"))


def recorder(bus: EventBus, event_type: type[DomainEvent]) -> list[DomainEvent]:
    """A list that collects what ``bus`` delivers for ``event_type``."""
    seen: list[DomainEvent] = []
    bus.subscribe(event_type, seen.append)
    return seen


def test_handlers_get_events_of_their_type_and_its_subclasses(under_test: BusUnderTest) -> None:
    bus = under_test.bus
    products, orders, everything = (recorder(bus, ProductCreated), recorder(bus, OrderPlaced),
                                    recorder(bus, DomainEvent))
    events = [product_created(1), order_placed(2)]
    bus.publish(events)
    under_test.settle()
    assert products == [events[0]]
    assert orders == [events[1]]
    assert_delivered(everything, events)  # every event is a DomainEvent


def test_types_nobody_subscribed_to_reach_no_handler(under_test: BusUnderTest) -> None:
    bus = under_test.bus
    orders, updates = recorder(bus, OrderPlaced), recorder(bus, ProductUpdated)
    bus.publish([product_created(1)])  # ProductUpdated is not its base: not delivered either
    under_test.settle()
    assert orders == []
    assert updates == []


def stream(event: DomainEvent) -> tuple[str, str]:
    """What the bus keeps in order: one aggregate's events on one topic (an order's order
    events; its payment events are another stream)."""
    return topic_of(event.name), aggregate_of(event)


def assert_delivered(seen: list[DomainEvent], published: list[DomainEvent]) -> None:
    """Each published event seen once, every stream in the order published."""
    assert sorted(e.event_id for e in seen) == sorted(e.event_id for e in published)
    for key in {stream(e) for e in published}:
        assert [e for e in seen if stream(e) == key] == [e for e in published
                                                         if stream(e) == key]


def test_one_aggregates_events_arrive_in_the_order_published(under_test: BusUnderTest) -> None:
    bus = under_test.bus
    seen = recorder(bus, DomainEvent)
    first: list[DomainEvent] = [product_created(i % 3) if i % 2 else order_placed(i % 4)
                                for i in range(1, 21)]
    second: list[DomainEvent] = [order_placed(i % 4) for i in range(11, 16)]
    bus.publish(first)
    bus.publish(second)
    under_test.settle()
    assert_delivered(seen, first + second)


def test_a_failing_handler_stops_neither_the_others_nor_later_events(
        under_test: BusUnderTest) -> None:
    bus = under_test.bus
    tried: list[DomainEvent] = []

    def broken(event: DomainEvent) -> None:
        tried.append(event)
        raise RuntimeError("handler bug")

    before = recorder(bus, DomainEvent)
    bus.subscribe(DomainEvent, broken)
    after = recorder(bus, DomainEvent)
    events = [product_created(1), order_placed(2)]
    bus.publish(events)  # the bus logs the failures; pytest keeps the log to itself
    under_test.settle()
    assert_delivered(before, events)
    assert_delivered(after, events)
    assert {e.event_id for e in tried} == {e.event_id for e in events}  # each was offered


def test_publishing_nothing_is_fine(under_test: BusUnderTest) -> None:
    seen = recorder(under_test.bus, DomainEvent)
    under_test.bus.publish([])
    under_test.settle()
    assert seen == []


def test_a_handler_that_fails_once_is_given_the_event_again(under_test: BusUnderTest) -> None:
    calls: list[str] = []
    failed: set[str] = set()

    def flaky(event: DomainEvent) -> None:
        calls.append(event.event_id)
        if event.event_id not in failed:  # a dropped connection: it clears on a retry
            failed.add(event.event_id)
            raise ConnectionError("broker hiccup")

    under_test.bus.subscribe(ProductCreated, flaky)
    first, second = product_created(1), product_created(2)
    under_test.bus.publish([first, second])
    under_test.settle()
    assert calls == [first.event_id, first.event_id, second.event_id, second.event_id]


@attrs.define
class Batches:
    """A handler that takes events a batch at a time where the bus can give them so."""

    calls: list[list[DomainEvent]] = attrs.field(factory=list)
    fail_batches: bool = False

    def __call__(self, event: DomainEvent) -> None:
        self.calls.append([event])

    def handle_many(self, events: Sequence[DomainEvent]) -> None:
        if self.fail_batches:
            raise RuntimeError("a bad event in the batch")
        self.calls.append(list(events))

    def seen(self) -> list[DomainEvent]:
        return [e for call in self.calls for e in call]


def test_a_batch_handler_gets_every_event_of_its_types_in_order(
        under_test: BusUnderTest) -> None:
    batches = Batches()
    under_test.bus.subscribe(ProductCreated, batches)
    under_test.bus.subscribe(ProductUpdated, batches)
    events: list[DomainEvent] = [product_created(1), order_placed(2),
                                 ProductUpdated(occurred_at=AT, product_id=1, seller_id=7),
                                 product_created(3)]
    under_test.bus.publish(events)
    under_test.settle()
    assert_delivered(batches.seen(), [events[0], events[2], events[3]])
