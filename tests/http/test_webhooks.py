"""POST /api/v1/webhooks/stripe: verified (Stripe's signature scheme, 300 s), applied once
per event id, refused with nothing changed otherwise; and the payment amount check."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from falcon import testing

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.facade import Commerce
from commerce_core.payments.model import PaymentState
from commerce_core.payments.ports import GatewayEvent, GatewayEventKind
from tests.concurrency import run_together
from tests.conftest import ADMIN, CUSTOMER, HOME, add_product
from tests.http.conftest import actor_of, error, sign_up
from tests.http.test_shopping import ADDRESS

URL = "/api/v1/webhooks/stripe"


def waiting_for_3ds(client: testing.TestClient, shop: Commerce) -> tuple[dict[str, str], int,
                                                                          str]:
    ann, _ = sign_up(client, "ann@example.com")
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    product = add_product(shop, category, "Desk lamp", ["49.90"])
    client.simulate_post("/api/v1/cart/items", headers=ann, json={"product_id": product.id})
    placed = client.simulate_post("/api/v1/orders", headers=ann, json={
        "shipping_address": ADDRESS, "payment_token": "tok_3ds"})
    assert placed.status_code == 201 and placed.json["data"]["requires_action"] is True
    data = placed.json["data"]
    assert data["client_secret"] and data["next_action"]["type"] == "use_stripe_sdk"
    return ann, int(data["order_id"]), data["payment"]["transaction_id"]


def snapshot(shop: Commerce, headers: dict[str, str], order_id: int) -> Any:
    who = actor_of(shop, headers)
    order = shop.orders.get(order_id, who)
    payments = shop.payments.for_order(order_id, who)
    return (order.status, order.payment_status, len(order.timeline),
            [(p.status, p.refunded, p.transaction_id) for p in payments])


def test_a_valid_event_applies_once(client: testing.TestClient, shop: Commerce,
                                    gateway: FakeGateway) -> None:
    ann, order_id, txn = waiting_for_3ds(client, shop)
    body, headers = gateway.complete_action(txn)
    done = client.simulate_post(URL, body=body, headers=headers)
    assert done.status_code == 200 and done.json["data"]["applied"] is True
    assert done.json["data"]["status"] == "CONFIRMED"
    before = snapshot(shop, ann, order_id)
    again = client.simulate_post(URL, body=body, headers=headers)  # Stripe resends it
    assert again.status_code == 200 and again.json["data"]["applied"] is False
    assert snapshot(shop, ann, order_id) == before


def test_a_bad_signature_an_old_event_and_a_replay_are_refused_with_nothing_changed(
        client: testing.TestClient, shop: Commerce, gateway: FakeGateway) -> None:
    ann, order_id, txn = waiting_for_3ds(client, shop)
    body, headers = gateway.complete_action(txn)
    before = snapshot(shop, ann, order_id)
    for bad in ({"Stripe-Signature": "t=1,v1=" + "0" * 64}, {},
                FakeGateway("whsec_someone_else").sign(body),  # another secret
                gateway.sign(body, time.time() - 301)):  # signed more than 300 s ago
        refused = client.simulate_post(URL, body=body, headers=bad)
        assert refused.status_code == 401 and error(refused)["code"] == "unauthenticated"
    tampered = body.replace(b"payment_intent.succeeded", b"payment_intent.payment_failed")
    assert client.simulate_post(URL, body=tampered, headers=headers).status_code == 401
    assert snapshot(shop, ann, order_id) == before
    # a replay: the same event id, freshly signed (within 300 s), changes nothing twice
    assert client.simulate_post(URL, body=body, headers=headers).json["data"]["applied"]
    after = snapshot(shop, ann, order_id)
    replay = client.simulate_post(URL, body=body, headers=gateway.sign(body))
    assert replay.status_code == 200 and replay.json["data"]["applied"] is False
    assert snapshot(shop, ann, order_id) == after


def test_a_failed_3ds_cancels_the_order(client: testing.TestClient, shop: Commerce,
                                        gateway: FakeGateway) -> None:
    _, _, txn = waiting_for_3ds(client, shop)
    body, headers = gateway.complete_action(txn, succeed=False)
    done = client.simulate_post(URL, body=body, headers=headers)
    assert done.json["data"]["status"] == "CANCELLED"
    assert done.json["data"]["payment_status"] == "FAILED"


def test_two_success_webhooks_at_once_confirm_and_never_void(
        client: testing.TestClient, shop: Commerce, gateway: FakeGateway) -> None:
    ann, order_id, txn = waiting_for_3ds(client, shop)
    gateway.complete_action(txn)
    bodies = [gateway.event("payment_intent.succeeded", gateway.intent(gateway.charge_of(txn)))
              for _ in range(2)]  # two events (two ids) about one success
    answers: list[Any] = []
    def post(body: bytes, headers: dict[str, str]) -> Callable[[], None]:
        return lambda: answers.append(client.simulate_post(URL, body=body, headers=headers))

    assert run_together([post(*b) for b in bodies]) == []
    assert [a.status_code for a in answers] == [200, 200]
    assert shop.orders.get(order_id, actor_of(shop, ann)).status.value == "CONFIRMED"
    assert gateway.charge_of(txn).voided is False


def test_a_success_webhook_racing_the_synchronous_answer_is_a_repeat(
        shop: Commerce, gateway: FakeGateway) -> None:
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    product = add_product(shop, category, "Desk lamp", ["49.90"])
    shop.cart.add_item(CUSTOMER, product.id, 1)
    real = gateway.charge

    def charge_then_webhook(request: Any) -> Any:
        result = real(request)  # the webhook lands before the charge's answer is stored
        assert result.transaction_id is not None
        shop.payment_webhooks.apply(GatewayEvent("evt_race", GatewayEventKind.PAYMENT_SUCCEEDED,
                                         result.transaction_id, order_id=int(
                                             request.metadata["order_id"]),
                                         idempotency_key=request.idempotency_key))
        return result
    gateway.charge = charge_then_webhook  # type: ignore[method-assign]
    placed = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa")
    assert placed.order.status.value == "CONFIRMED"
    assert placed.payment is not None and placed.payment.status is PaymentState.COMPLETED
    assert gateway.charge_of(placed.payment.transaction_id or "").voided is False


def test_refunds_made_at_the_gateway_and_disputes_move_the_payment(
        client: testing.TestClient, shop: Commerce, gateway: FakeGateway) -> None:
    ann, order_id, txn = waiting_for_3ds(client, shop)
    body, headers = gateway.complete_action(txn)
    client.simulate_post(URL, body=body, headers=headers)
    charge = {"id": "ch_1", "object": "charge", "payment_intent": txn, "amount": 4990,
              "amount_refunded": 1000, "currency": "usd", "metadata": {}}
    body, headers = gateway.event("charge.refunded", charge)
    done = client.simulate_post(URL, body=body, headers=headers).json["data"]
    assert (done["applied"], done["payment_status"]) == (True, "PARTIALLY_REFUNDED")
    (payment,) = shop.payments.for_order(order_id, actor_of(shop, ann))
    assert str(payment.refunded.amount) == "10.00"
    dispute = {"id": "dp_1", "object": "dispute", "charge": "ch_1", "payment_intent": txn,
               "reason": "fraudulent", "status": "needs_response"}
    body, headers = gateway.event("charge.dispute.created", dispute)
    opened = client.simulate_post(URL, body=body, headers=headers).json["data"]
    assert opened["payment_status"] == "DISPUTED"
    body, headers = gateway.event("charge.dispute.closed", {**dispute, "status": "lost"})
    lost = client.simulate_post(URL, body=body, headers=headers).json["data"]
    assert lost["payment_status"] == "REFUNDED"


def test_an_unknown_charge_or_event_type_is_acknowledged_and_changes_nothing(
        client: testing.TestClient, gateway: FakeGateway) -> None:
    for kind, obj in (("payment_intent.succeeded", {"id": "pi_elsewhere"}),
                      ("customer.created", {"id": "cus_1"})):
        body, headers = gateway.event(kind, obj)
        done = client.simulate_post(URL, body=body, headers=headers)
        assert done.status_code == 200 and done.json["data"]["order_id"] is None
    garbage = json.dumps({"id": "evt_x"}).encode()
    assert client.simulate_post(URL, body=garbage,
                                headers=gateway.sign(garbage)).status_code == 422


def test_the_amount_paid_must_be_the_orders_total(client: testing.TestClient,
                                                  shop: Commerce) -> None:
    ann, _ = sign_up(client, "ann@example.com")
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    product = add_product(shop, category, "Desk lamp", ["49.90"])
    client.simulate_post("/api/v1/cart/items", headers=ann, json={"product_id": product.id})
    placed = client.simulate_post("/api/v1/orders", headers=ann,
                                  json={"shipping_address": ADDRESS}).json["data"]
    url = f"/api/v1/payments/{placed['order_id']}/process"
    total = placed["total_amount"]
    for wrong in ({"amount": "0.01"}, {"amount": total, "currency": "EUR"}):
        refused = client.simulate_post(url, headers=ann,
                                       json={"payment_token": "tok_visa", **wrong})
        assert refused.status_code == 422, refused.json
        assert set(error(refused)["details"]) & {"amount", "currency"}
    assert client.simulate_get(f"/api/v1/orders/{placed['order_id']}",
                               headers=ann).json["data"]["status"] == "PENDING"
    paid = client.simulate_post(url, headers=ann, json={"payment_token": "tok_visa",
                                                        "amount": total, "currency": "USD"})
    assert paid.status_code == 200 and paid.json["data"]["order"]["status"] == "CONFIRMED"


def test_a_webhook_body_past_64_kb_is_refused_on_both_paths(
        client: testing.TestClient, gateway: FakeGateway) -> None:
    body = json.dumps({"id": "evt_big", "padding": "x" * 70_000}).encode()
    for path in (URL, "/api/v1/payments/webhook"):
        refused = client.simulate_post(path, body=body, headers=gateway.sign(body))
        assert refused.status_code == 413, path
