"""No lost event: a publisher outage leaves events in the outbox for the relay."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import timedelta

import pytest

from commerce_adapters.fake.payments import FakeGateway
from commerce_adapters.memory.bus import InProcessEventBus
from commerce_core.clock import ManualClock
from commerce_core.events import DomainEvent, ProductCreated
from commerce_core.uow import MARK_INTERVAL, RELAY_GRACE
from tests.conftest import ADMIN, CUSTOMER, HOME, add_product, make_shop
from tests.contract.test_event_bus import AT, Batches


class FlakyBus(InProcessEventBus):
    def __init__(self) -> None:
        super().__init__()
        self.down = False

    def publish(self, events: Sequence[DomainEvent]) -> None:
        if self.down:
            raise ConnectionError("broker unreachable")
        super().publish(events)


def test_events_survive_a_publisher_outage_and_are_relayed_once(clock: ManualClock) -> None:
    bus = FlakyBus()
    shop = make_shop(clock, FakeGateway(), publisher=bus)
    seen: list[str] = []
    bus.subscribe(DomainEvent, lambda e: seen.append(e.name))
    p = add_product(shop, shop.catalog.create_category(ADMIN, "C").id)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    seen.clear()
    bus.down = True
    order = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa").order
    assert seen == []  # the checkout itself went through; its events wait in the outbox
    clock.advance(RELAY_GRACE + timedelta(seconds=1))
    assert shop.outbox.run_once() == 0  # still down: nothing claimed as relayed
    bus.down = False
    relayed = shop.outbox.run_once()
    assert relayed == len(seen) and {"OrderPlaced", "PaymentConfirmed",
                                     "OrderConfirmed"} <= set(seen)
    assert shop.outbox.run_once() == 0
    assert shop.orders.get(order.id, CUSTOMER).status.value == "CONFIRMED"


def test_the_relay_leaves_entries_younger_than_its_grace_to_their_own_request(
        clock: ManualClock) -> None:
    bus = FlakyBus()
    shop = make_shop(clock, FakeGateway(), publisher=bus)
    bus.down = True
    shop.catalog.create_category(ADMIN, "C")
    add_product(shop, shop.catalog.create_category(ADMIN, "D").id)  # ProductCreated waits
    bus.down = False
    assert shop.outbox.run_once() == 0  # a request may still be publishing them
    clock.advance(RELAY_GRACE - timedelta(seconds=1))
    assert shop.outbox.run_once() == 0
    clock.advance(timedelta(seconds=2))
    assert shop.outbox.run_once() == 1


def test_delivered_entries_are_stamped_by_the_process_thread_not_the_request(
        clock: ManualClock) -> None:
    shop = make_shop(clock, FakeGateway())
    p = add_product(shop, shop.catalog.create_category(ADMIN, "C").id)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa")
    deadline = time.monotonic() + 10 * MARK_INTERVAL
    while True:  # bounded: the marking thread runs every MARK_INTERVAL seconds
        with shop.tx.read() as uow:
            if not uow.outbox.pending(100):
                break
        assert time.monotonic() < deadline, "delivered entries were never stamped published"
        time.sleep(MARK_INTERVAL / 10)
    clock.advance(RELAY_GRACE + timedelta(seconds=1))
    assert shop.outbox.run_once() == 0  # nothing delivered twice


def test_a_flush_returns_only_once_a_stamping_in_flight_is_written(
        clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """flush_marks (as the shop's close and tests call it) racing the delivery thread's
    periodic stamping: it returns with every delivered entry stamped, not while the other
    stamping still writes the entries it took."""
    shop = make_shop(clock, FakeGateway())
    add_product(shop, shop.catalog.create_category(ADMIN, "C").id)
    writing, go_on = threading.Event(), threading.Event()
    mark = shop.tx._mark

    def slow_mark(entry_ids: Sequence[int]) -> None:
        if entry_ids and threading.current_thread().name == "stamper":
            writing.set()
            go_on.wait(10)
        mark(entry_ids)
    monkeypatch.setattr(shop.tx, "_mark", slow_mark)
    stamper = threading.Thread(target=shop.tx.flush_marks, name="stamper")
    stamper.start()
    assert writing.wait(10)
    threading.Timer(0.2, go_on.set).start()
    shop.tx.flush_marks()
    with shop.tx.read() as uow:
        assert not uow.outbox.pending(100)
    stamper.join(10)


def test_background_delivery_runs_handlers_off_the_committing_thread_in_commit_order(
        clock: ManualClock) -> None:
    bus = InProcessEventBus()
    shop = make_shop(clock, FakeGateway(), publisher=bus, event_delivery="background")
    seen: list[tuple[str, int]] = []
    release = threading.Event()

    def handler(event: DomainEvent) -> None:
        release.wait(5)  # a slow handler: the request must not wait for it
        seen.append((event.name, threading.get_ident()))

    bus.subscribe(DomainEvent, handler)
    p = add_product(shop, shop.catalog.create_category(ADMIN, "C").id)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    order = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa").order
    assert order.status.value == "CONFIRMED"  # returned while the handler still waits
    release.set()
    assert shop.tx.drain(10)
    names = [name for name, _ in seen]
    assert names.index("OrderPlaced") < names.index("PaymentConfirmed") < \
        names.index("OrderConfirmed")
    assert {ident for _, ident in seen} == {seen[0][1]} != {threading.get_ident()}


def test_an_unknown_event_delivery_is_refused_by_name(clock: ManualClock) -> None:
    with pytest.raises(ValueError, match="COMMERCE_EVENT_DELIVERY"):
        make_shop(clock, FakeGateway(), event_delivery="sometimes")


def test_the_in_process_bus_hands_a_batch_handler_a_publish_at_once() -> None:
    """The search indexer refreshes a thousand imported products in one go, not one by one;
    a batch that fails is offered again event by event, so one bad event loses no other."""
    bus = InProcessEventBus(attempts=1)
    batches, failing = Batches(), Batches(fail_batches=True)
    each: list[DomainEvent] = []
    bus.subscribe(ProductCreated, batches)
    bus.subscribe(ProductCreated, failing)
    bus.subscribe(ProductCreated, each.append)
    events = [ProductCreated(occurred_at=AT, product_id=n, seller_id=7) for n in range(1, 4)]
    bus.publish(events)
    assert batches.calls == [events]
    assert failing.calls == [[e] for e in events]
    assert each == events
