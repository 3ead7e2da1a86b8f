from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.accounts.policy import Actor
from commerce_core.clock import ManualClock
from commerce_core.errors import (
    InvalidTransition,
    NotFound,
    TransientError,
    Unavailable,
    ValidationError,
)
from commerce_core.facade import Commerce
from commerce_core.fraud.model import FraudStatus
from commerce_core.money import Money
from commerce_core.orders.model import OrderStatus, PaymentStatus
from commerce_core.payments.model import PaymentState, RefundState
from commerce_core.payments.resilience import BreakerState, CircuitBreaker, RetryPolicy, retry
from tests.concurrency import run_together
from tests.conftest import ADMIN, CUSTOMER, HOME, SELLER, add_product, buy


def state_of(breaker: CircuitBreaker) -> BreakerState:
    """The breaker's state now (a call, so a type checker does not carry an earlier
    assert's narrowing across the clock moving)."""
    return breaker.state


def test_only_the_owner_sees_an_order(shop: Commerce, category: int) -> None:
    order_id = buy(shop, add_product(shop, category).id)
    assert shop.orders.get(order_id, CUSTOMER).id == order_id
    with pytest.raises(NotFound):
        shop.orders.get(order_id, Actor.customer(999))
    with pytest.raises(NotFound):
        shop.orders.cancel(order_id, Actor.customer(999))


def test_history_filters_and_pagination(shop: Commerce, category: int,
                                        clock: ManualClock) -> None:
    p = add_product(shop, category, stock=100)
    ids = []
    for _ in range(5):
        ids.append(buy(shop, p.id))
        clock.advance(timedelta(days=1))
    shop.orders.cancel(ids[0], CUSTOMER)
    page = shop.orders.history(CUSTOMER, page=1, limit=2)
    assert page.total_count == 5 and [o.id for o in page.items] == [ids[4], ids[3]]
    assert [o.id for o in shop.orders.history(CUSTOMER, status="cancelled").items] == [ids[0]]
    start = datetime(2026, 1, 16, 12, 0, tzinfo=UTC)
    ranged = shop.orders.history(CUSTOMER, from_date=start, to_date=start + timedelta(days=2))
    assert [o.id for o in ranged.items] == [ids[2], ids[1]]
    with pytest.raises(ValidationError):
        shop.orders.history(CUSTOMER, status="LOST")
    assert shop.orders.history(Actor.customer(999)).total_count == 0


def test_cancel_paid_order_restocks_and_refunds(shop: Commerce, category: int,
                                                gateway: FakeGateway) -> None:
    p = add_product(shop, category, stock=5)
    order_id = buy(shop, p.id, 2)
    order = shop.orders.cancel(order_id, CUSTOMER)
    assert order.status is OrderStatus.CANCELLED
    assert order.payment_status is PaymentStatus.REFUNDED
    s = shop.inventory.stock(SELLER, p.variants[0].id)
    assert (s.available, s.reserved, s.sold) == (5, 0, 0)
    assert gateway.net_captured().is_zero
    with pytest.raises(InvalidTransition):
        shop.orders.cancel(order_id, CUSTOMER)


def test_cancel_unpaid_order_releases_the_reservation(shop: Commerce, category: int) -> None:
    p = add_product(shop, category, stock=5)
    shop.cart.add_item(CUSTOMER, p.id, 3)
    order = shop.checkout.place_order(CUSTOMER, HOME).order
    assert shop.orders.cancel(order.id, CUSTOMER).status is OrderStatus.CANCELLED
    assert shop.inventory.stock(SELLER, p.variants[0].id).available == 5


def test_shipped_order_cannot_be_cancelled(shop: Commerce, category: int,
                                           clock: ManualClock) -> None:
    order_id = buy(shop, add_product(shop, category).id)
    with shop.tx() as uow:
        order = uow.orders.get(order_id)
        order.move_item(order.items[0].id, OrderStatus.SHIPPED, clock.now())
        uow.orders.update(order)
    assert shop.orders.get(order_id, CUSTOMER).status is OrderStatus.SHIPPED
    with pytest.raises(InvalidTransition):
        shop.orders.cancel(order_id, CUSTOMER)


def test_partial_and_full_refunds_never_exceed_the_capture(shop: Commerce, category: int,
                                                           gateway: FakeGateway) -> None:
    order_id = buy(shop, add_product(shop, category, prices=["100.00"]).id)
    payment = shop.payments.for_order(order_id, CUSTOMER)[0]
    r1 = shop.payments.refund(ADMIN, payment.id, Money("30", "USD"), "scratched")
    assert r1.status is RefundState.COMPLETED
    assert shop.payments.get(payment.id, CUSTOMER).status is PaymentState.PARTIALLY_REFUNDED
    assert shop.orders.get(order_id, CUSTOMER).payment_status is PaymentStatus.PARTIALLY_REFUNDED
    with pytest.raises(ValidationError):
        shop.payments.refund(ADMIN, payment.id, Money("70.01", "USD"))
    again = shop.payments.refund(ADMIN, payment.id, Money("70", "USD"), idempotency_key="r2")
    replay = shop.payments.refund(ADMIN, payment.id, Money("70", "USD"), idempotency_key="r2")
    assert replay.id == again.id
    assert shop.payments.get(payment.id, CUSTOMER).status is PaymentState.REFUNDED
    assert gateway.net_captured().is_zero
    with pytest.raises(ValidationError):
        shop.payments.refund(ADMIN, payment.id, Money("0.01", "USD"))


def test_concurrent_refunds_cannot_add_up_past_the_capture(shop: Commerce,
                                                           category: int) -> None:
    order_id = buy(shop, add_product(shop, category, prices=["100.00"]).id)
    payment_id = shop.payments.for_order(order_id, CUSTOMER)[0].id
    ok: list[int] = []

    def refund() -> None:
        with contextlib.suppress(ValidationError):  # refused once the capture is used up
            ok.append(shop.payments.refund(ADMIN, payment_id, Money("30", "USD")).id)

    assert run_together([refund] * 10) == []
    assert len(ok) == 3
    assert shop.payments.get(payment_id, CUSTOMER).refunded == Money("90", "USD")


def test_refund_during_an_outage_stays_pending_then_is_retried(
        shop: Commerce, category: int, gateway: FakeGateway, clock: ManualClock) -> None:
    order_id = buy(shop, add_product(shop, category, prices=["50.00"]).id)
    payment_id = shop.payments.for_order(order_id, CUSTOMER)[0].id
    gateway.outage(True)
    with pytest.raises(Unavailable):
        shop.payments.refund(ADMIN, payment_id, Money("50", "USD"))
    assert shop.payments.refunds(payment_id, CUSTOMER)[0].status is RefundState.PENDING
    gateway.outage(False)
    clock.advance(timedelta(minutes=5))
    assert shop.payments.retry_pending_refunds() == 1
    assert shop.payments.refunds(payment_id, CUSTOMER)[0].status is RefundState.COMPLETED
    assert gateway.net_captured().is_zero


def test_retry_backs_off_exponentially_with_jitter_then_gives_up() -> None:
    waits: list[float] = []
    calls = 0

    def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise TransientError("blip")
        return "ok"

    policy = RetryPolicy(attempts=4, base_delay=0.1, max_delay=0.3)
    assert retry(flaky, policy, sleep=waits.append, rng=lambda: 1.0) == "ok"
    assert waits == [0.1, 0.2]
    assert policy.delay(5, rng=lambda: 1.0) == 0.3
    with pytest.raises(TransientError):
        retry(lambda: (_ for _ in ()).throw(TransientError("down")), policy,
              sleep=waits.append)


def test_circuit_breaker_opens_fails_fast_and_half_opens(clock: ManualClock) -> None:
    breaker = CircuitBreaker(clock.now, threshold=3, reset_after=timedelta(seconds=30))
    calls = 0

    def down() -> None:
        nonlocal calls
        calls += 1
        raise TransientError("down")

    for _ in range(3):
        with pytest.raises(TransientError):
            breaker.call(down)
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(Unavailable):
        breaker.call(down)
    assert calls == 3  # failed fast, the gateway was not called
    clock.advance(timedelta(seconds=31))
    assert state_of(breaker) is BreakerState.HALF_OPEN
    with pytest.raises(TransientError):
        breaker.call(down)
    assert state_of(breaker) is BreakerState.OPEN
    clock.advance(timedelta(seconds=31))
    assert breaker.call(lambda: "up") == "up"
    assert state_of(breaker) is BreakerState.CLOSED


def test_open_breaker_makes_checkout_fail_fast_without_losing_stock(
        shop: Commerce, category: int, gateway: FakeGateway) -> None:
    p = add_product(shop, category, stock=5)
    gateway.outage(True)
    shop.cart.add_item(CUSTOMER, p.id, 1)  # the cart keeps its line after each failure
    for _ in range(3):
        with pytest.raises(Unavailable):
            shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa")
    assert shop.gateway.breaker.state is BreakerState.OPEN
    # orders left PAYMENT_STARTED hold stock until recovery can ask the gateway
    gateway.outage(False)
    shop.clock.advance(timedelta(minutes=31))  # type: ignore[attr-defined]
    shop.checkout.recover()
    assert shop.inventory.stock(SELLER, p.variants[0].id).available == 5


def test_payment_is_visible_only_to_its_owner(shop: Commerce, category: int) -> None:
    order_id = buy(shop, add_product(shop, category).id)
    payment = shop.payments.for_order(order_id, CUSTOMER)[0]
    assert shop.payments.get(payment.id, CUSTOMER).amount == Money("100.00", "USD")
    with pytest.raises(NotFound):
        shop.payments.get(payment.id, Actor.customer(1))
    detail = shop.orders.detail(order_id, CUSTOMER)
    assert detail.payment is not None
    assert detail.payment.transaction_id == payment.transaction_id
    assert detail.shipments == () and detail.review is FraudStatus.CLEAR
    with pytest.raises(NotFound):
        shop.orders.detail(order_id, Actor.customer(1))
