"""No lost event: a publisher outage leaves events in the outbox for the relay."""

from __future__ import annotations

from collections.abc import Sequence

from commerce_adapters.fake.payments import FakeGateway
from commerce_adapters.memory.events import InProcessEventBus
from commerce_core.clock import ManualClock
from commerce_core.events import DomainEvent
from tests.conftest import ADMIN, CUSTOMER, HOME, add_product, make_shop


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
    assert shop.outbox.run_once() == 0  # still down: nothing claimed as relayed
    bus.down = False
    relayed = shop.outbox.run_once()
    assert relayed == len(seen) and {"OrderPlaced", "PaymentConfirmed",
                                     "OrderConfirmed"} <= set(seen)
    assert shop.outbox.run_once() == 0
    assert shop.orders.get(order.id, CUSTOMER).status.value == "CONFIRMED"
