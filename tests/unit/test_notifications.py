"""Notifications: driven by events, per-user channels, an inbox, retries and a log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_adapters.fake.payments import FakeGateway
from commerce_adapters.notify.recording import RecordingNotifier
from commerce_core.accounts.policy import Actor
from commerce_core.clock import ManualClock
from commerce_core.errors import NotFound, PaymentDeclined
from commerce_core.events import OrderPlaced
from commerce_core.facade import Commerce
from commerce_core.money import Money
from commerce_core.notifications.model import Channel, DeliveryStatus, NotificationType
from tests.conftest import ADMIN, HOME, SELLER, add_product, buy, make_shop, register


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def shop(clock: ManualClock, gateway: FakeGateway, notifier: RecordingNotifier) -> Commerce:
    return make_shop(clock, gateway, notifier=notifier)


def sent(notifier: RecordingNotifier) -> list[tuple[str, str]]:
    return [(m.type.value, m.channel.value) for m in notifier.sent]


def test_an_order_notifies_on_the_seeds_channels(shop: Commerce, category: int,
                                                 notifier: RecordingNotifier) -> None:
    ann = register(shop, "ann@example.com", name="Ann")
    shop.accounts.update_profile(ann, phone="+15550100")
    order_id = buy(shop, add_product(shop, category).id, user=ann)
    report = shop.notifications.deliver_due()
    assert report.sent == 5 and report.failed == 0
    assert sorted(sent(notifier)) == [
        ("order_placed", "email"), ("order_placed", "push"), ("order_placed", "sms"),
        ("payment_confirmed", "email"), ("payment_confirmed", "push")]
    email = next(m for m in notifier.sent if m.channel is Channel.EMAIL)
    number = shop.orders.get(order_id, ann).number
    assert email.recipient == "ann@example.com" and number in email.subject
    assert email.body.startswith("Hi Ann,")
    inbox = shop.notifications.inbox(ann)
    assert [m.type for m in inbox.items] == [NotificationType.PAYMENT_CONFIRMED,
                                             NotificationType.ORDER_PLACED]
    assert shop.notifications.deliver_due().sent == 0  # nothing sent twice


def test_preferences_choose_channels_and_missing_contacts_are_skipped(
        shop: Commerce, category: int, notifier: RecordingNotifier) -> None:
    ann = register(shop, "ann@example.com")  # no phone number: no SMS
    shop.notifications.set_preferences(ann, ["email"])
    assert shop.notifications.preferences(ann).channels == {Channel.EMAIL, Channel.IN_APP}
    buy(shop, add_product(shop, category).id, user=ann)
    shop.notifications.deliver_due()
    assert sorted(sent(notifier)) == [("order_placed", "email"), ("payment_confirmed", "email")]
    guest = Actor.customer(31337)  # an embedding app's user with no account here
    buy(shop, add_product(shop, category, "Mug").id, user=guest)
    assert shop.notifications.deliver_due().sent == 0
    assert shop.notifications.inbox(guest).total_count == 2


def test_failures_are_retried_with_backoff_then_logged_as_failed(
        shop: Commerce, category: int, clock: ManualClock, notifier: RecordingNotifier) -> None:
    ann = register(shop, "ann@example.com")
    shop.notifications.set_preferences(ann, ["email"])
    shop.cart.add_item(ann, add_product(shop, category).id, 1)
    shop.checkout.place_order(ann, HOME)  # unpaid: one e-mail (order placed)
    notifier.fail_next(2)
    assert shop.notifications.deliver_due().retrying == 1
    assert shop.notifications.deliver_due().sent == 0  # backing off: not due yet
    clock.advance(timedelta(seconds=30))
    assert shop.notifications.deliver_due().retrying == 1
    clock.advance(timedelta(seconds=59))
    assert shop.notifications.deliver_due().sent == 0  # the second wait is a minute
    clock.advance(timedelta(seconds=1))
    assert shop.notifications.deliver_due().sent == 1
    log = shop.notifications.history(ann, status="SENT")
    assert [(m.channel, m.attempts) for m in log.items if m.channel is Channel.EMAIL] == \
        [(Channel.EMAIL, 3)]
    notifier.fail_next(100)
    shop.cart.add_item(ann, add_product(shop, category, "Mug").id, 1)
    shop.checkout.place_order(ann, HOME)
    for _ in range(5):
        shop.notifications.deliver_due()
        clock.advance(timedelta(hours=1))
    failed = shop.notifications.history(ADMIN, status=DeliveryStatus.FAILED)
    assert failed.total_count == 1
    assert failed.items[0].attempts == 5 and "TransientError" in failed.items[0].last_error


def test_a_redelivered_event_notifies_once(shop: Commerce, clock: ManualClock) -> None:
    ann = register(shop, "ann@example.com")
    event = OrderPlaced(occurred_at=clock.now(), order_id=1, order_number="ORD-2026-000001",
                        user_id=ann.user_id, total=Money("10", "USD"))
    assert shop.notifications.handle(event) == 3  # email, push, in-app
    assert shop.notifications.handle(event) == 0


def test_payment_failure_refund_and_delivery_reach_the_customer(
        shop: Commerce, category: int, notifier: RecordingNotifier) -> None:
    ann = register(shop, "ann@example.com")
    shop.notifications.set_preferences(ann, ["email"])
    p = add_product(shop, category)
    shop.cart.add_item(ann, p.id, 1)
    with pytest.raises(PaymentDeclined):
        shop.checkout.place_order(ann, HOME, payment_token="tok_chargeDeclined")
    order_id = shop.checkout.place_order(ann, HOME, payment_token="tok_visa").order.id
    shipment = shop.shipping.create_shipment(SELLER, order_id)
    shop.shipping.record_tracking("table-rate", shipment.tracking_number, "DELIVERED")
    item = shop.orders.get(order_id, ann).items[0].id
    shop.sellers.refund_items(SELLER, order_id, [item], "damaged in transit")
    shop.notifications.deliver_due()
    kinds = [t for t, _ in sent(notifier)]
    for kind in ("payment_failed", "order_shipped", "order_delivered", "review_request",
                 "refund_issued"):
        assert kind in kinds
    refund_mail = next(m for m in notifier.sent if m.type is NotificationType.REFUND_ISSUED)
    assert "100.00 USD" in refund_mail.subject


def test_inbox_is_private_and_can_be_marked_read(shop: Commerce, category: int) -> None:
    ann = register(shop, "ann@example.com")
    buy(shop, add_product(shop, category).id, user=ann)
    message = shop.notifications.inbox(ann).items[0]
    with pytest.raises(NotFound):
        shop.notifications.mark_read(register(shop, "eve@example.com"), message.id)
    assert shop.notifications.mark_read(ann, message.id).read_at is not None
    assert shop.notifications.inbox(ann, unread_only=True).total_count == 1


def test_events_reach_notifications_through_the_bus(clock: ManualClock) -> None:
    notifier = RecordingNotifier()
    shop = make_shop(clock, FakeGateway(), notifier=notifier)
    category = shop.catalog.create_category(ADMIN, "C").id
    ann = register(shop, "ann@example.com")
    buy(shop, add_product(shop, category).id, user=ann)
    assert shop.run_maintenance()["notifications_sent"] == 4
