"""The checkout saga: success, every failure point with its compensation, recovery, idempotency."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import NoReturn

import pytest

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.accounts.policy import Actor
from commerce_core.address import Address
from commerce_core.checkout import complete as complete_step
from commerce_core.checkout import pay as pay_step
from commerce_core.checkout.model import CheckoutState
from commerce_core.clock import ManualClock
from commerce_core.errors import (
    Conflict,
    InProgress,
    InsufficientStock,
    NotFound,
    PaymentDeclined,
    PriceChanged,
    Unauthenticated,
    Unavailable,
    ValidationError,
)
from commerce_core.events import DomainEvent, OrderCancelled, OrderPlaced, PaymentConfirmed
from commerce_core.facade import Commerce
from commerce_core.fraud.screen import FraudScreen
from commerce_core.idempotency import request_hash
from commerce_core.money import Money
from commerce_core.orders.model import OrderStatus, PaymentStatus
from commerce_core.payments.model import PaymentState
from commerce_core.payments.ports import ChargeRequest, ChargeResult
from commerce_core.pricing.coupons import Coupon, CouponKind
from tests.concurrency import run_together
from tests.conftest import ADMIN, CUSTOMER, HOME, SELLER, add_product, make_shop


class Crash(BaseException):
    """A process dying mid-step: not an Exception, so no handler in the SDK swallows it."""


def after_charging(gateway: FakeGateway, then: Callable[[], object]) -> Callable[[], None]:
    """Let the gateway really charge, then run ``then`` (a crash, an outage) before it
    answers. Returns what puts the plain gateway back."""
    real = gateway.charge

    def charge(request: ChargeRequest) -> ChargeResult:
        real(request)
        then()
        return real(request)  # the stored answer to the same key, if nothing raised

    gateway.charge = charge  # type: ignore[method-assign]
    return lambda: setattr(gateway, "charge", real)


def crash() -> NoReturn:
    raise Crash


def stock(shop: Commerce, variant_id: int) -> tuple[int, int, int]:
    s = shop.inventory.stock(SELLER, variant_id)
    return s.available, s.reserved, s.sold


def checkout_of(shop: Commerce, order_id: int) -> CheckoutState:
    with shop.tx.read() as uow:
        return uow.checkouts.for_order(order_id).state


def test_happy_path_confirms_sells_stock_clears_cart_and_publishes(
        shop: Commerce, category: int, gateway: FakeGateway, events: list[DomainEvent]) -> None:
    p = add_product(shop, category, "Phone", ["999.99"], stock=5)
    shop.cart.add_item(CUSTOMER, p.id, 2)
    result = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa")
    order = result.order
    assert order.status is OrderStatus.CONFIRMED
    assert order.payment_status is PaymentStatus.COMPLETED
    assert order.number.startswith("ORD-2026-")
    assert result.payment and result.payment.status is PaymentState.COMPLETED
    assert stock(shop, p.variants[0].id) == (3, 0, 2)
    assert not shop.cart.get(CUSTOMER).cart.lines
    assert gateway.net_captured() == Money("1999.98", "USD")
    names = [e.name for e in events]
    assert names.index("OrderPlaced") < names.index("PaymentConfirmed") < names.index(
        "OrderConfirmed")
    assert [t.event for t in order.timeline] == ["ORDER_PLACED", "PAYMENT_CONFIRMED",
                                                 "ORDER_CONFIRMED"]
    shop.tx.flush_marks()  # delivered ones are stamped in batches, off the request
    with shop.tx.read() as uow:
        assert not uow.outbox.pending(10)  # everything published and marked


def test_decline_releases_stock_cancels_order_keeps_cart(
        shop: Commerce, category: int, gateway: FakeGateway, events: list[DomainEvent]) -> None:
    p = add_product(shop, category, stock=5)
    shop.cart.add_item(CUSTOMER, p.id, 2)
    with pytest.raises(PaymentDeclined) as err:
        shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_chargeDeclined")
    order = shop.orders.get(err.value.details["order_id"], CUSTOMER)
    assert order.status is OrderStatus.CANCELLED and order.payment_status is PaymentStatus.FAILED
    assert stock(shop, p.variants[0].id) == (5, 0, 0)
    assert shop.cart.get(CUSTOMER).cart.lines  # the customer can retry with another card
    assert gateway.net_captured().is_zero
    assert any(isinstance(e, OrderCancelled) for e in events)
    assert checkout_of(shop, order.id) is CheckoutState.FAILED


def test_stock_gone_on_the_second_line_changes_nothing(shop: Commerce, category: int) -> None:
    a = add_product(shop, category, "A", stock=5)
    b = add_product(shop, category, "B", stock=1)
    shop.cart.add_item(CUSTOMER, a.id, 2)
    shop.cart.add_item(CUSTOMER, b.id, 1)
    shop.inventory.adjust(SELLER, b.variants[0].id, -1, "broken in the warehouse")
    with pytest.raises(InsufficientStock) as err:
        shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa")
    assert [line["product_name"] for line in err.value.lines] == ["B"]
    assert stock(shop, a.variants[0].id) == (5, 0, 0)
    assert shop.orders.history(CUSTOMER).total_count == 0


def test_changed_price_is_named_and_refresh_lets_checkout_pass(
        shop: Commerce, category: int) -> None:
    p = add_product(shop, category, "Lamp", ["10.00"])
    shop.cart.add_item(CUSTOMER, p.id, 1)
    shop.catalog.set_price(SELLER, p.variants[0].id, "12.00")
    with pytest.raises(PriceChanged) as err:
        shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa")
    assert err.value.lines[0]["product_name"] == "Lamp"
    assert err.value.lines[0]["new_price"] == Decimal("12.00")
    assert stock(shop, p.variants[0].id) == (10, 0, 0)
    shop.cart.refresh_prices(CUSTOMER)
    order = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa").order
    assert order.total.amount == Decimal("12.00")


def test_empty_cart_is_a_validation_error(shop: Commerce) -> None:
    with pytest.raises(ValidationError):
        shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa")


def test_gateway_timeout_voids_and_compensates(shop: Commerce, category: int,
                                               gateway: FakeGateway) -> None:
    p = add_product(shop, category, stock=3)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    with pytest.raises(Unavailable) as err:
        shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_timeout")
    assert "nothing was charged" in err.value.message
    order = shop.orders.get(err.value.details["order_id"], CUSTOMER)
    assert order.status is OrderStatus.CANCELLED
    assert stock(shop, p.variants[0].id) == (3, 0, 0)
    assert gateway.net_captured().is_zero


def test_lost_response_is_retried_with_the_same_key_and_charged_once(
        shop: Commerce, category: int, gateway: FakeGateway) -> None:
    p = add_product(shop, category, stock=3)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    order = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_lostResponse").order
    assert order.status is OrderStatus.CONFIRMED
    assert gateway.charge_count() == 1 and gateway.net_captured() == Money("100", "USD")


def test_outage_leaves_checkout_for_recovery_which_completes_it(
        shop: Commerce, category: int, gateway: FakeGateway, clock: ManualClock) -> None:
    """Charged, then the gateway vanished before answering or voiding: recovery settles it."""
    p = add_product(shop, category, stock=3)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    after_charging(gateway, lambda: gateway.outage(True))  # the answer never arrives
    with pytest.raises(Unavailable) as err:
        shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa")
    order_id = err.value.details["order_id"]
    assert checkout_of(shop, order_id) is CheckoutState.PAYMENT_STARTED
    assert stock(shop, p.variants[0].id) == (2, 1, 0)
    gateway.outage(False)
    assert shop.checkout.recover() == 0  # too recent: the request may still be running
    clock.advance(timedelta(minutes=2))
    assert shop.checkout.recover() == 1
    assert shop.orders.get(order_id, CUSTOMER).status is OrderStatus.CONFIRMED
    assert stock(shop, p.variants[0].id) == (2, 0, 1)
    assert gateway.charge_count() == 1


def test_crash_after_reserve_before_charge_is_compensated_by_recovery(
        shop: Commerce, category: int, gateway: FakeGateway, clock: ManualClock) -> None:
    p = add_product(shop, category, stock=3)
    shop.cart.add_item(CUSTOMER, p.id, 2)

    gateway.charge = lambda request: crash()  # type: ignore[method-assign]  # dies before sending
    with pytest.raises(Crash):
        shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa")
    assert stock(shop, p.variants[0].id) == (1, 2, 0)
    clock.advance(timedelta(minutes=5))
    assert shop.checkout.recover() == 1
    order = shop.orders.history(CUSTOMER).items[0]
    assert order.status is OrderStatus.CANCELLED
    assert stock(shop, p.variants[0].id) == (3, 0, 0)
    assert gateway.net_captured().is_zero


def test_crash_after_charge_before_confirm_is_completed_by_recovery(
        shop: Commerce, category: int, gateway: FakeGateway, clock: ManualClock) -> None:
    p = add_product(shop, category, stock=3)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    restore = after_charging(gateway, crash)
    with pytest.raises(Crash):
        shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa")
    restore()
    clock.advance(timedelta(minutes=5))
    assert shop.checkout.recover() == 1
    order = shop.orders.history(CUSTOMER).items[0]
    assert order.status is OrderStatus.CONFIRMED
    assert stock(shop, p.variants[0].id) == (2, 0, 1)
    assert gateway.charge_count() == 1
    assert not shop.cart.get(CUSTOMER).cart.lines


def test_crash_inside_the_confirm_transaction_rolls_it_back_then_recovers(
        shop: Commerce, category: int, gateway: FakeGateway, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    p = add_product(shop, category, stock=3)
    shop.cart.add_item(CUSTOMER, p.id, 1)

    def crash_in_tx(*args: object) -> object:
        with shop.tx() as uow:
            uow.inventory.restock(p.variants[0].id, 99, "half-written", clock.now())
            raise Crash

    with monkeypatch.context() as patched:
        patched.setattr(pay_step, "complete", crash_in_tx)
        with pytest.raises(Crash):
            shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa")
    assert stock(shop, p.variants[0].id) == (2, 1, 0)  # the half-written restock is gone
    clock.advance(timedelta(minutes=5))
    assert shop.checkout.recover() == 1
    assert stock(shop, p.variants[0].id) == (2, 0, 1)


def test_three_d_secure_waits_for_the_webhook(shop: Commerce, category: int,
                                              gateway: FakeGateway) -> None:
    p = add_product(shop, category, stock=3)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    result = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_3ds")
    assert result.requires_action and result.order.status is OrderStatus.PENDING
    assert stock(shop, p.variants[0].id) == (2, 1, 0)
    assert result.payment and result.payment.transaction_id
    body, headers = gateway.complete_action(result.payment.transaction_id)
    event = shop.gateway.verify_event(body, headers)
    for _ in range(2):  # the second is a repeat, answered with the same outcome
        settled = shop.checkout.handle_gateway_event(event)
        assert settled and settled.order.status is OrderStatus.CONFIRMED
    assert stock(shop, p.variants[0].id) == (2, 0, 1)


def test_three_d_secure_failure_and_forged_webhooks(shop: Commerce, category: int,
                                                    gateway: FakeGateway) -> None:
    p = add_product(shop, category, stock=3)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    result = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_3ds")
    assert result.payment and result.payment.transaction_id
    body, _ = gateway.complete_action(result.payment.transaction_id, succeed=False)
    with pytest.raises(Unauthenticated):
        shop.gateway.verify_event(body, {"Stripe-Signature": "t=1,v1=forged"})
    event = shop.gateway.verify_event(body, gateway.sign(body))
    settled = shop.checkout.handle_gateway_event(event)
    assert settled and settled.order.status is OrderStatus.CANCELLED
    assert stock(shop, p.variants[0].id) == (3, 0, 0)


def test_unpaid_order_expires_after_30_minutes(shop: Commerce, category: int,
                                               clock: ManualClock) -> None:
    p = add_product(shop, category, stock=3)
    shop.cart.add_item(CUSTOMER, p.id, 2)
    result = shop.checkout.place_order(CUSTOMER, HOME)  # no token: pay later
    assert checkout_of(shop, result.order.id) is CheckoutState.AWAITING_PAYMENT
    clock.advance(timedelta(minutes=29))
    assert shop.checkout.expire_reservations() == 0
    clock.advance(timedelta(minutes=2))
    assert shop.checkout.expire_reservations() == 1
    assert shop.orders.get(result.order.id, CUSTOMER).status is OrderStatus.CANCELLED
    assert stock(shop, p.variants[0].id) == (3, 0, 0)
    with shop.tx.read() as uow:
        held = uow.inventory.get_reservation(uow.checkouts.for_order(result.order.id)
                                             .reservation_id)
    assert (held.status.value, held.ended_at) == ("EXPIRED", clock.now())
    with pytest.raises(Conflict):
        shop.checkout.pay(CUSTOMER, result.order.id, "tok_visa")


def test_pay_later_with_idempotency(shop: Commerce, category: int, gateway: FakeGateway) -> None:
    p = add_product(shop, category, stock=3)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    order = shop.checkout.place_order(CUSTOMER, HOME).order
    first = shop.checkout.pay(CUSTOMER, order.id, "tok_visa", idempotency_key="k1")
    again = shop.checkout.pay(CUSTOMER, order.id, "tok_visa", idempotency_key="k1")
    assert first.order.status is again.order.status is OrderStatus.CONFIRMED
    assert first.payment and again.payment and first.payment.id == again.payment.id
    assert gateway.charge_count() == 1
    with pytest.raises(Conflict):
        shop.checkout.pay(CUSTOMER, order.id, "tok_other", idempotency_key="k1")


def test_idempotent_checkout_replays_and_refuses_a_different_request(
        shop: Commerce, category: int, gateway: FakeGateway) -> None:
    p = add_product(shop, category, stock=3)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    first = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa",
                                      idempotency_key="abc")
    shop.cart.add_item(CUSTOMER, p.id, 1)  # a new cart must not turn the replay into an order
    again = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa",
                                      idempotency_key="abc")
    assert again.order.id == first.order.id and gateway.charge_count() == 1
    with pytest.raises(Conflict):
        shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_mastercard",
                                  idempotency_key="abc")


def test_checkout_fingerprint_keeps_its_stored_form(shop: Commerce, category: int) -> None:
    # keys stored by earlier releases must still replay: the fingerprint hashes each address
    # as its seven fields by name, and nothing else
    p = add_product(shop, category, stock=3)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    billing = Address("2 Side St", "Shelbyville", "54321", "us", region="il", line2="Apt 3",
                      name="Lee Chen")
    shop.checkout.place_order(CUSTOMER, HOME, billing, payment_token="tok_visa",
                              idempotency_key="k-form")
    with shop.tx.read() as uow:
        record = uow.idempotency.get(f"checkout:{CUSTOMER.user_id}", "k-form")
    assert record is not None
    ship = {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345",
            "country": "US", "region": "IL", "line2": "", "name": ""}
    bill = {"line1": "2 Side St", "city": "Shelbyville", "postal_code": "54321",
            "country": "US", "region": "IL", "line2": "Apt 3", "name": "Lee Chen"}
    assert record.request_hash == request_hash(
        {"user": CUSTOMER.user_id, "ship": ship, "bill": bill, "token": "tok_visa",
         "method": "card"})


def test_idempotent_replay_of_a_decline_is_the_same_decline(shop: Commerce,
                                                            category: int) -> None:
    p = add_product(shop, category, stock=3)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    for _ in range(2):
        with pytest.raises(PaymentDeclined):
            shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_chargeDeclined",
                                      idempotency_key="d1")
    assert shop.orders.history(CUSTOMER).total_count == 1


def test_concurrent_requests_with_one_key_charge_once(shop: Commerce, category: int,
                                                      gateway: FakeGateway) -> None:
    p = add_product(shop, category, stock=50)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    answers: list[tuple[int, OrderStatus] | str] = []

    def buy() -> None:
        try:
            order = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa",
                                              idempotency_key="same").order
        except InProgress as busy:  # a twin of the running one: told to ask again
            assert busy.retry_after > 0
            answers.append(busy.code)
        else:
            answers.append((order.id, order.status))

    assert run_together([buy] * 8) == []
    outcomes = {a for a in answers if not isinstance(a, str)}  # str: the 409's code
    assert len(answers) == 8 and len(outcomes) == 1  # never a half-done snapshot
    ((order_id, status),) = outcomes
    assert status is OrderStatus.CONFIRMED
    again = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa",
                                      idempotency_key="same").order
    assert (again.id, again.status) == (order_id, OrderStatus.CONFIRMED)
    assert gateway.charge_count() == 1
    assert stock(shop, p.variants[0].id)[2] == 1


def test_a_twin_of_a_checkout_still_charging_is_told_to_ask_again(
        shop: Commerce, category: int, gateway: FakeGateway) -> None:
    p = add_product(shop, category, stock=5)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    twin: list[InProgress] = []

    def repeat() -> None:
        try:
            shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa",
                                      idempotency_key="k-twin")
        except InProgress as ex:
            twin.append(ex)

    restore = after_charging(gateway, repeat)  # the twin arrives while the card is charged
    first = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa",
                                      idempotency_key="k-twin").order
    restore()
    assert [ex.code for ex in twin] == ["idempotency_in_progress"]
    assert twin[0].details["order_id"] == first.id
    assert stock(shop, p.variants[0].id) == (4, 0, 1)  # the twin held nothing


def test_coupon_is_redeemed_once_and_given_back_on_failure(shop: Commerce,
                                                           category: int) -> None:
    p = add_product(shop, category, stock=10)
    shop.add_coupon(ADMIN, Coupon("ONCE", CouponKind.PERCENT, Decimal(10), max_uses_per_user=1))
    shop.cart.add_item(CUSTOMER, p.id, 1)
    shop.cart.apply_coupon(CUSTOMER, "ONCE")
    with pytest.raises(PaymentDeclined):
        shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_chargeDeclined")
    order = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa").order
    assert order.discount.amount == Decimal("10.00") and order.coupon_code == "ONCE"
    shop.cart.add_item(CUSTOMER, p.id, 1)
    with pytest.raises(ValidationError):
        shop.cart.apply_coupon(CUSTOMER, "ONCE")


def test_a_coupon_given_with_the_order_prices_it_and_a_bad_one_places_nothing(
        shop: Commerce, category: int) -> None:
    p = add_product(shop, category, stock=10)
    shop.add_coupon(ADMIN, Coupon("ONCE", CouponKind.PERCENT, Decimal(10), max_uses_per_user=1))
    shop.add_coupon(ADMIN, Coupon("BIG", CouponKind.PERCENT, Decimal(5),
                                  min_subtotal=Decimal(1000)))
    shop.cart.add_item(CUSTOMER, p.id, 1)
    for bad, reason in (("NOPE", "unknown"), ("BIG", "below_minimum")):
        with pytest.raises(ValidationError) as refused:
            shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa",
                                      coupon_code=bad, idempotency_key=f"k-{bad}")
        assert refused.value.details["coupon_code"] == reason
    assert stock(shop, p.variants[0].id) == (10, 0, 0)  # nothing held, nothing placed
    assert shop.orders.history(CUSTOMER).total_count == 0
    first = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa",
                                      coupon_code="once", idempotency_key="k-once").order
    assert (first.coupon_code, first.discount.amount) == ("ONCE", Decimal("10.00"))
    # the retry replays the first outcome, though the coupon is now used up for this buyer
    again = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa",
                                      coupon_code="once", idempotency_key="k-once").order
    assert again.id == first.id
    with pytest.raises(Conflict):  # the key with another coupon is another request
        shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa",
                                  idempotency_key="k-once")


@pytest.mark.parametrize("run", range(5))
def test_no_oversell_50_threads_for_10_units(run: int, clock: ManualClock) -> None:
    shop = make_shop(clock, FakeGateway())
    cat = shop.catalog.create_category(ADMIN, "C").id
    p = add_product(shop, cat, "Hot item", stock=10)
    users = [Actor.customer(u) for u in range(1000, 1050)]
    for u in users:
        shop.cart.add_item(u, p.id, 1)
    placed: list[int] = []
    refused: list[str] = []

    def buy(user: Actor) -> None:
        try:
            placed.append(shop.checkout.place_order(user, HOME, payment_token="tok_visa")
                          .order.id)
        except InsufficientStock:
            refused.append("stock")

    assert run_together([functools.partial(buy, u) for u in users]) == []
    assert len(placed) == 10 and len(refused) == 40
    assert stock(shop, p.variants[0].id) == (0, 0, 10)


def test_events_follow_the_commit_not_the_attempt(shop: Commerce, category: int,
                                                  events: list[DomainEvent]) -> None:
    p = add_product(shop, category, stock=1)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    shop.inventory.adjust(SELLER, p.variants[0].id, -1, "lost")
    events.clear()
    with pytest.raises(InsufficientStock):
        shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa")
    assert not any(isinstance(e, OrderPlaced | PaymentConfirmed) for e in events)


def test_category_scoped_coupon_discounts_only_lines_below_its_category(
        shop: Commerce) -> None:
    home = shop.catalog.create_category(ADMIN, "Home")
    kitchen = shop.catalog.create_category(ADMIN, "Kitchen", parent_id=home.id)
    garden = shop.catalog.create_category(ADMIN, "Garden")
    pan = add_product(shop, kitchen.id, "Pan", ["40.00"])
    hose = add_product(shop, garden.id, "Hose", ["60.00"])
    shop.add_coupon(ADMIN, Coupon("HOME25", CouponKind.PERCENT, Decimal(25),
                           category_ids=frozenset({home.id})))
    shop.cart.add_item(CUSTOMER, pan.id, 1)
    shop.cart.add_item(CUSTOMER, hose.id, 1)
    priced = shop.cart.apply_coupon(CUSTOMER, "HOME25").totals
    assert priced is not None and priced.discount == Money("10.00", "USD")
    order = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa").order
    assert {i.product_name: i.discount.amount for i in order.items} == {
        "Pan": Decimal("10.00"), "Hose": Decimal("0.00")}


def test_product_withdrawn_after_carting_is_refused_and_nothing_reserved(
        shop: Commerce, category: int) -> None:
    kept = add_product(shop, category, "Kept", stock=5)
    gone = add_product(shop, category, "Gone", stock=5)
    shop.cart.add_item(CUSTOMER, kept.id, 1)
    shop.cart.add_item(CUSTOMER, gone.id, 1)
    shop.catalog.deactivate_product(SELLER, gone.id)
    with pytest.raises(ValidationError) as err:
        shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa")
    assert err.value.details["items"]["unavailable"] == ["Gone"]
    assert stock(shop, kept.variants[0].id) == (5, 0, 0)


def test_lines_added_while_paying_stay_in_the_cart(shop: Commerce, category: int,
                                                   gateway: FakeGateway) -> None:
    bought, later = add_product(shop, category, "Bought"), add_product(shop, category, "Later")
    shop.cart.add_item(CUSTOMER, bought.id, 1)
    # another tab adds a line after the reservation read the cart, before completion
    after_charging(gateway, lambda: shop.cart.add_item(CUSTOMER, later.id, 2))
    order = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa").order
    assert order.status is OrderStatus.CONFIRMED
    lines = shop.cart.get(CUSTOMER).cart.lines
    assert [(line.product_id, line.quantity) for line in lines] == [(later.id, 2)]


def test_a_charge_that_lands_after_recovery_compensated_its_checkout_is_voided(
        shop: Commerce, category: int, gateway: FakeGateway, clock: ManualClock) -> None:
    p = add_product(shop, category, stock=3)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    real = gateway.charge

    def slow_charge(request: ChargeRequest) -> ChargeResult:
        clock.advance(timedelta(minutes=5))  # the charge hangs; recovery runs meanwhile,
        assert shop.checkout.recover() == 1  # finds no charge yet, compensates
        return real(request)

    gateway.charge = slow_charge  # type: ignore[method-assign]
    with pytest.raises(Conflict, match="reversed"):
        shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa")
    order = shop.orders.history(CUSTOMER).items[0]
    assert order.status is OrderStatus.CANCELLED
    assert stock(shop, p.variants[0].id) == (3, 0, 0)
    assert gateway.charge_count() == 0 and gateway.net_captured().is_zero  # voided
    assert shop.cart.get(CUSTOMER).cart.lines  # nothing bought: the cart keeps its line


def test_a_note_written_while_the_card_is_charged_is_kept_by_completion(
        shop: Commerce, category: int, gateway: FakeGateway) -> None:
    p = add_product(shop, category, prices=["1500.00"], stock=3)  # over the fraud threshold
    shop.cart.add_item(CUSTOMER, p.id, 1)
    abroad = Address("1 Rue de Rivoli", "Paris", "75001", "FR")

    def review() -> None:
        (held,) = shop.fraud.queue(ADMIN).items
        shop.fraud.approve(ADMIN, held.order_id, "called the customer")

    restore = after_charging(gateway, review)
    order = shop.checkout.place_order(CUSTOMER, HOME, abroad, payment_token="tok_visa").order
    restore()
    assert order.status is OrderStatus.CONFIRMED
    stored = shop.orders.get(order.id, CUSTOMER)
    assert stored.status is OrderStatus.CONFIRMED
    assert [t.event for t in stored.timeline] == [
        "ORDER_PLACED", "HELD_FOR_REVIEW", "FRAUD_APPROVED", "PAYMENT_CONFIRMED",
        "ORDER_CONFIRMED"]


def test_a_payment_key_replays_only_for_the_customer_who_paid(
        shop: Commerce, category: int, gateway: FakeGateway) -> None:
    p = add_product(shop, category, stock=3)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    order = shop.checkout.place_order(CUSTOMER, HOME).order
    paid = shop.checkout.pay(CUSTOMER, order.id, "tok_visa", idempotency_key="k-shared")
    assert paid.order.status is OrderStatus.CONFIRMED
    with pytest.raises(NotFound):  # same order, key and token: still not theirs to see
        shop.checkout.pay(Actor.customer(999), order.id, "tok_visa",
                          idempotency_key="k-shared")
    assert gateway.charge_count() == 1


def test_a_crash_inside_the_place_transaction_leaves_nothing_behind(
        shop: Commerce, category: int, gateway: FakeGateway,
        monkeypatch: pytest.MonkeyPatch) -> None:
    p = add_product(shop, category, stock=3)
    shop.cart.add_item(CUSTOMER, p.id, 2)

    def dies(*args: object) -> object:  # after the stock is reserved, before the commit
        raise Crash

    monkeypatch.setattr(FraudScreen, "screen", dies)
    with pytest.raises(Crash):
        shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa")
    assert stock(shop, p.variants[0].id) == (3, 0, 0)
    assert shop.orders.history(CUSTOMER).total_count == 0
    assert gateway.charge_count() == 0
    assert [ln.quantity for ln in shop.cart.get(CUSTOMER).cart.lines] == [2]


def test_a_crash_after_completion_before_a_cart_kept_apart_is_emptied_loses_no_sale(
        shop: Commerce, category: int, monkeypatch: pytest.MonkeyPatch) -> None:
    p = add_product(shop, category, stock=3)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    real = complete_step._remove_bought

    def crash_outside(carts: object, *args: object) -> None:
        if carts is shop.carts:  # the store kept apart, emptied after the commit
            raise Crash
        real(carts, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(complete_step, "_remove_bought", crash_outside)
    try:
        shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa")
    except Crash:  # carts apart from the database (memory): the sale stands, the line stays
        assert [ln.quantity for ln in shop.cart.get(CUSTOMER).cart.lines] == [1]
    else:  # carts in the database: emptied inside the completing transaction
        assert not shop.cart.get(CUSTOMER).cart.lines
    order = shop.orders.history(CUSTOMER).items[0]
    assert order.status is OrderStatus.CONFIRMED
    assert stock(shop, p.variants[0].id) == (2, 0, 1)
