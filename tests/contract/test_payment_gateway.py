"""Contract of the PaymentGateway port (payments/ports.py), for every adapter of it: a new
adapter adds one entry to RIGS.

- ``fake-memory``, ``fake-sqlite``, ``fake-postgres``: the fake with its ledger in this
  process or in a SQL database (as ``fake://`` keeps it for a server's workers);
- ``stripe``: the Stripe gateway against the Stripe-API test server
  (``COMMERCE_TEST_STRIPE_URL``, localstripe) behind ``tests/stripe_proxy.py``, which adds
  what Stripe does and the stand-in lacks (idempotency keys, search, refund limits) and
  loses an answer on request.

Each rig also plays the customer's browser (3-D Secure finished or failed) and the
gateway's webhook sender (a Stripe-shaped event signed with its secret).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Generator
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from commerce_adapters.fake.payments import FakeGateway
from commerce_adapters.sql.fake_gateway import SqlLedger
from commerce_adapters.stripe import events
from commerce_adapters.stripe.gateway import StripeGateway
from commerce_core.checkout.model import CheckoutState
from commerce_core.clock import ManualClock
from commerce_core.errors import PaymentDeclined, TransientError, Unauthenticated, Unavailable
from commerce_core.money import Money
from commerce_core.orders.model import OrderStatus
from commerce_core.payments.ports import (
    ChargeRequest,
    ChargeResult,
    ChargeStatus,
    GatewayEventKind,
    PaymentGateway,
)
from tests.conftest import ADMIN, CUSTOMER, HOME, add_product, make_shop
from tests.servers import server_url
from tests.sql_servers import fresh_postgres, sqlite_template
from tests.stripe_proxy import API_KEY, StripeProxy

SECRET = "whsec_contract_" + "x" * 24


@attrs.define
class Rig:
    gateway: Any  # the adapter (a PaymentGateway), whose methods a test may wrap
    visa: str
    declined: str
    three_d_secure: Callable[[], str]           # a token whose charge needs 3-D Secure
    act: Callable[[ChargeResult, bool], None]   # the customer finishes or fails it
    lose_next_answer: Callable[[], str]         # arms a lost answer; the token to charge
    charges_with: Callable[[str], int]          # charges the gateway made with a key
    # a gateway whose lookup lags behind its charges (a search index) can be made to lag
    lag: Callable[[bool], None] | None = None

    def event(self, kind: str, transaction_id: str, timestamp: float | None = None,
              secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
        """A Stripe-shaped event about a PaymentIntent, signed as the gateway signs."""
        when = int(time.time() if timestamp is None else timestamp)
        body = json.dumps({"id": f"evt_{uuid.uuid4().hex}", "object": "event", "type": kind,
                           "created": when, "data": {"object": {
                               "id": transaction_id, "object": "payment_intent",
                               "metadata": {"order_id": "42"}}}}).encode()
        return body, {events.SIGNATURE_HEADER: events.signature(secret, body, when)}


def _fake_rig(gateway: FakeGateway) -> Rig:
    def act(result: ChargeResult, succeed: bool) -> None:
        assert result.transaction_id
        gateway.complete_action(result.transaction_id, succeed)

    return Rig(gateway, "tok_visa", "tok_chargeDeclined", lambda: "tok_3ds", act,
               lambda: "tok_lostResponse",
               lambda key: 1 if gateway.lookup(key) is not None else 0)


def _fake_memory() -> Generator[Rig]:
    yield _fake_rig(FakeGateway(SECRET))


def _fake_sqlite() -> Generator[Rig]:
    folder = Path(tempfile.mkdtemp(prefix="commerce-gateway-"))
    shutil.copy(sqlite_template(), folder / "shop.db")
    ledger = SqlLedger(f"sqlite:///{folder / 'shop.db'}")
    yield _fake_rig(FakeGateway(SECRET, ledger))
    ledger.close()
    shutil.rmtree(folder, ignore_errors=True)


def _fake_postgres() -> Generator[Rig]:
    url = os.environ.get("COMMERCE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("COMMERCE_TEST_POSTGRES_URL is not set")
    ledger = SqlLedger(fresh_postgres(url))
    yield _fake_rig(FakeGateway(SECRET, ledger))
    ledger.close()


def _stripe() -> Generator[Rig]:
    proxy = StripeProxy(server_url("stripe"))
    with proxy.running():
        gateway = StripeGateway(API_KEY, proxy.url, SECRET, timeout=10)

        def act(result: ChargeResult, succeed: bool) -> None:
            assert result.transaction_id and result.client_secret
            proxy.authenticate(result.transaction_id, result.client_secret, succeed)

        def lose() -> str:
            proxy.lose_next_answer("/v1/payment_intents")
            return "pm_card_visa"

        def lag(on: bool) -> None:
            proxy.search_lags = on

        yield Rig(gateway, "pm_card_visa", "pm_card_chargeCustomerFail",
                  proxy.three_d_secure_card, act, lose,
                  lambda key: len(proxy.intents_with("idempotency_key", key)), lag)


RIGS: dict[str, Callable[[], Generator[Rig]]] = {
    "fake-memory": _fake_memory,
    "fake-sqlite": _fake_sqlite,
    "fake-postgres": _fake_postgres,
    "stripe": _stripe,
}


@pytest.fixture(params=sorted(RIGS))
def rig(request: pytest.FixtureRequest) -> Generator[Rig]:
    gen = RIGS[request.param]()
    yield next(gen)
    next(gen, None)  # the rest of the factory: its clean-up (close() would skip it)


@pytest.fixture(params=["stripe"])  # the rigs whose lookup searches an index that can lag
def lagging_rig(request: pytest.FixtureRequest) -> Generator[Rig]:
    gen = RIGS[request.param]()
    rig = next(gen)
    assert rig.lag is not None
    yield rig
    next(gen, None)  # the rest of the factory: its clean-up (close() would skip it)


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def charge(gateway: PaymentGateway, token: str, amount: str = "25.00",
           key: str | None = None) -> tuple[str, ChargeResult]:
    key = key or f"pay_{uuid.uuid4().hex}"
    return key, gateway.charge(ChargeRequest(usd(amount), token, key,
                                             metadata={"order_id": "42"}))


def test_a_charge_succeeds_once_per_key(rig: Rig) -> None:
    key, result = charge(rig.gateway, rig.visa)
    assert result.status is ChargeStatus.SUCCEEDED and result.transaction_id
    _, again = charge(rig.gateway, rig.visa, key=key)
    assert again.transaction_id == result.transaction_id
    assert rig.charges_with(key) == 1
    found = rig.gateway.lookup(key)
    assert found is not None and found.status is ChargeStatus.SUCCEEDED
    assert found.transaction_id == result.transaction_id


def test_a_declined_card_is_a_decline_with_its_reason(rig: Rig) -> None:
    key, result = charge(rig.gateway, rig.declined)
    assert result.status is ChargeStatus.DECLINED
    assert result.decline_reason == "card_declined"
    assert rig.gateway.void(key) is False  # nothing was taken


def test_three_d_secure_hands_the_client_what_it_needs_then_confirms(rig: Rig) -> None:
    key, result = charge(rig.gateway, rig.three_d_secure())
    assert result.status is ChargeStatus.REQUIRES_ACTION and result.transaction_id
    assert result.client_secret and result.client_secret.startswith(result.transaction_id)
    assert result.next_action and result.next_action["type"] == "use_stripe_sdk"
    rig.act(result, True)
    found = rig.gateway.lookup(key)
    assert found is not None and found.status is ChargeStatus.SUCCEEDED
    assert found.transaction_id == result.transaction_id


def test_three_d_secure_failed_is_a_decline(rig: Rig) -> None:
    key, result = charge(rig.gateway, rig.three_d_secure())
    rig.act(result, False)
    found = rig.gateway.lookup(key)
    assert found is not None and found.status is ChargeStatus.DECLINED
    assert found.decline_reason == "payment_intent_authentication_failure"


def test_a_lost_answer_retried_with_the_same_key_charges_once(rig: Rig) -> None:
    key = f"pay_{uuid.uuid4().hex}"
    token = rig.lose_next_answer()
    with pytest.raises(TransientError):
        charge(rig.gateway, token, key=key)
    _, retried = charge(rig.gateway, token, key=key)
    assert retried.status is ChargeStatus.SUCCEEDED
    assert rig.charges_with(key) == 1


def test_partial_then_full_refunds_and_never_above_the_capture(rig: Rig) -> None:
    _, result = charge(rig.gateway, rig.visa, "30.00")
    txn = result.transaction_id
    assert txn
    first = rig.gateway.refund(txn, usd("10.00"), f"re_{uuid.uuid4().hex}")
    assert first.transaction_id
    again_key = f"re_{uuid.uuid4().hex}"
    second = rig.gateway.refund(txn, usd("5.00"), again_key)
    assert rig.gateway.refund(txn, usd("5.00"), again_key).transaction_id \
        == second.transaction_id  # a retried refund is the same refund
    with pytest.raises(PaymentDeclined):
        rig.gateway.refund(txn, usd("15.01"), f"re_{uuid.uuid4().hex}")
    rig.gateway.refund(txn, usd("15.00"), f"re_{uuid.uuid4().hex}")  # the rest: full
    with pytest.raises(PaymentDeclined):
        rig.gateway.refund(txn, usd("0.01"), f"re_{uuid.uuid4().hex}")


def test_void_reverses_a_charge_and_lookup_of_an_unknown_key_is_none(rig: Rig) -> None:
    key, _ = charge(rig.gateway, rig.visa)
    assert rig.gateway.void(key) is True
    unknown = f"pay_{uuid.uuid4().hex}"
    assert rig.gateway.lookup(unknown) is None
    assert rig.gateway.void(unknown) is False
    # a key found unused is spent: a late request with it can never charge
    assert rig.charges_with(unknown) == 0


def test_a_charge_not_yet_visible_is_unknown_never_absent(lagging_rig: Rig) -> None:
    rig = lagging_rig
    assert rig.lag is not None
    key, result = charge(rig.gateway, rig.visa)
    rig.lag(True)
    with pytest.raises(Unavailable) as raised:
        rig.gateway.lookup(key)
    assert not isinstance(raised.value, TransientError)  # not retried, not a breaker failure
    with pytest.raises(Unavailable):
        rig.gateway.void(key)
    assert rig.gateway.lookup(f"pay_{uuid.uuid4().hex}") is None  # a key never used
    rig.lag(False)
    found = rig.gateway.lookup(key)
    assert found is not None and found.transaction_id == result.transaction_id


def _secret_of(rig: Rig) -> None:
    if isinstance(rig.gateway, FakeGateway):
        assert rig.gateway.webhook_secret == SECRET


def test_webhooks_verified_by_signature_and_age(rig: Rig) -> None:
    _secret_of(rig)
    body, headers = rig.event("payment_intent.succeeded", "pi_123")
    event = rig.gateway.verify_event(body, headers)
    assert (event.kind, event.transaction_id, event.order_id) == (
        GatewayEventKind.PAYMENT_SUCCEEDED, "pi_123", 42)
    forged, forged_headers = rig.event("payment_intent.succeeded", "pi_123",
                                       secret="whsec_someone_else")
    with pytest.raises(Unauthenticated):
        rig.gateway.verify_event(forged, forged_headers)
    with pytest.raises(Unauthenticated):  # the body changed after signing
        rig.gateway.verify_event(body.replace(b"pi_123", b"pi_999"), headers)
    old, old_headers = rig.event("payment_intent.succeeded", "pi_123",
                                 timestamp=time.time() - 301)
    with pytest.raises(Unauthenticated):
        rig.gateway.verify_event(old, old_headers)
    with pytest.raises(Unauthenticated):
        rig.gateway.verify_event(body, {})


class Crash(BaseException):
    """A process dying mid-step."""


def _shop_buying(rig: Rig, clock: ManualClock, crash_after_charge: bool) -> tuple[Any, int]:
    shop = make_shop(clock, rig.gateway)
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    product = add_product(shop, category, stock=3)
    shop.cart.add_item(CUSTOMER, product.id, 1)
    real = rig.gateway.charge

    def dying(request: ChargeRequest) -> ChargeResult:
        if crash_after_charge:
            real(request)
        raise Crash

    rig.gateway.charge = dying
    with pytest.raises(Crash):
        shop.checkout.place_order(CUSTOMER, HOME, payment_token=rig.visa)
    rig.gateway.charge = real
    with shop.tx.read() as uow:
        (checkout,) = uow.checkouts.stuck((CheckoutState.PAYMENT_STARTED,),
                                          clock.now() + timedelta(seconds=1), 10)
    return shop, checkout.order_id


def test_recovery_completes_a_checkout_stuck_after_the_charge(rig: Rig) -> None:
    clock = ManualClock()
    shop, order_id = _shop_buying(rig, clock, crash_after_charge=True)
    clock.advance(timedelta(minutes=5))
    assert shop.checkout.recover() == 1
    order = shop.orders.get(order_id, CUSTOMER)
    assert order.status is OrderStatus.CONFIRMED
    (payment,) = shop.payments.for_order(order_id, CUSTOMER)
    assert rig.charges_with(payment.idempotency_key) == 1
    assert payment.transaction_id == rig.gateway.lookup(payment.idempotency_key).transaction_id
    assert shop.checkout.recover() == 0  # settled: nothing left


def test_recovery_compensates_a_checkout_that_died_before_charging(rig: Rig) -> None:
    clock = ManualClock()
    shop, order_id = _shop_buying(rig, clock, crash_after_charge=False)
    clock.advance(timedelta(minutes=5))
    assert shop.checkout.recover() == 1
    assert shop.orders.get(order_id, CUSTOMER).status is OrderStatus.CANCELLED
    (payment,) = shop.payments.for_order(order_id, CUSTOMER)
    assert rig.charges_with(payment.idempotency_key) == 0
