"""Outgoing webhooks: endpoints per event type, signed deliveries, retries, the log."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from commerce_adapters.webhooks.http import UrllibSender
from commerce_core.bus.consumer import Dispatcher, Outcome
from commerce_core.bus.envelope import Envelope
from commerce_core.bus.ports import BatchHandler
from commerce_core.clock import ManualClock
from commerce_core.errors import Forbidden, ValidationError
from commerce_core.events import OrderPlaced, RefundIssued
from commerce_core.facade import Commerce
from commerce_core.money import Money
from commerce_core.webhooks.model import DeliveryState
from commerce_core.webhooks.service import SIGNATURE_HEADER, sign, verify
from tests.conftest import ADMIN, CUSTOMER


class Receiver:
    """A sender that records what it was asked to POST and answers ``statuses`` in turn."""

    def __init__(self, *statuses: int | None) -> None:
        self.statuses = list(statuses)
        self.got: list[tuple[str, bytes, dict[str, str]]] = []

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        self.got.append((url, body, dict(headers)))
        status = self.statuses.pop(0) if self.statuses else 204
        if status is None:
            raise ConnectionRefusedError("nobody listens")
        return status


@pytest.fixture
def receiver(shop: Commerce) -> Receiver:
    r = Receiver()
    shop.webhooks._sender = r
    return r


def test_only_admins_register_endpoints_and_bad_ones_are_refused(shop: Commerce) -> None:
    with pytest.raises(Forbidden):
        shop.webhooks.register(CUSTOMER, "https://x.test/h", ["OrderPlaced"])
    with pytest.raises(ValidationError) as bad_type:
        shop.webhooks.register(ADMIN, "https://x.test/h", ["OrderPlacd"])
    assert bad_type.value.details == {"event_types": "unknown"}
    with pytest.raises(ValidationError) as bad_url:
        shop.webhooks.register(ADMIN, "ftp://x.test/h", ["OrderPlaced"])
    assert bad_url.value.details == {"url": "invalid"}
    assert shop.webhooks.endpoints(ADMIN) == []  # nothing changed


def test_each_event_is_queued_once_for_the_endpoints_that_want_it(
        shop: Commerce, receiver: Receiver) -> None:
    orders = shop.webhooks.register(ADMIN, "https://a.test/h", ["OrderPlaced"])
    every = shop.webhooks.register(ADMIN, "https://b.test/h", ["*"])
    refunds = shop.webhooks.register(ADMIN, "https://c.test/h", ["RefundIssued"])
    event = OrderPlaced(occurred_at=shop.clock.now(), order_id=1, order_number="ORD-1",
                        user_id=456, total=Money("9.5", "EUR"))
    group = Dispatcher("webhooks", shop.tx)
    group.subscribe(OrderPlaced, shop.webhooks.consume)
    assert group.handle(Envelope.of(event)) is Outcome.DONE
    assert group.handle(Envelope.of(event)) is Outcome.DUPLICATE
    assert shop.webhooks.handle(event) == 0  # and the store refuses a second one anyway
    assert shop.webhooks.deliver_due() == {"pending": 0, "sent": 2, "failed": 0}
    assert sorted(url for url, _, _ in receiver.got) == ["https://a.test/h", "https://b.test/h"]
    assert shop.webhooks.deliveries(ADMIN, refunds.id) == []
    (log,) = shop.webhooks.deliveries(ADMIN, orders.id)
    assert (log.state, log.attempts, log.last_status) == (DeliveryState.SENT, 1, 204)
    assert len(shop.webhooks.deliveries(ADMIN, every.id)) == 1


def test_a_commits_events_are_queued_in_one_go_from_the_bus(
        shop: Commerce, receiver: Receiver) -> None:
    """The service is a batch handler: the in-process bus hands it a commit's events at
    once, and each is queued for each endpoint that wants it, as one by one."""
    assert isinstance(shop.webhooks, BatchHandler)
    shop.webhooks.register(ADMIN, "https://a.test/h", ["OrderPlaced"])
    shop.webhooks.register(ADMIN, "https://b.test/h", ["*"])
    events = [OrderPlaced(occurred_at=shop.clock.now(), order_id=n, order_number=f"ORD-{n}",
                          user_id=456, total=Money("9.5", "EUR")) for n in (1, 2)]
    refund = RefundIssued(occurred_at=shop.clock.now(), order_id=1, payment_id=2,
                          refund_id=3, user_id=456, amount=Money("1", "EUR"))
    shop.webhooks.handle_many([*events, refund])
    assert shop.webhooks.deliver_due() == {"pending": 0, "sent": 5, "failed": 0}
    shop.webhooks.handle_many([*events, refund])  # again: the store refuses each a second time
    assert shop.webhooks.deliver_due() == {"pending": 0, "sent": 0, "failed": 0}


def test_a_delivery_is_signed_with_the_endpoints_secret_and_a_timestamp(
        shop: Commerce, receiver: Receiver) -> None:
    endpoint = shop.webhooks.register(ADMIN, "https://a.test/h", ["OrderPlaced"])
    event = OrderPlaced(occurred_at=shop.clock.now(), order_id=7, order_number="ORD-7",
                        user_id=456, total=Money("9.50", "EUR"))
    shop.webhooks.handle(event)
    shop.webhooks.deliver_due()
    ((_, body, headers),) = receiver.got
    assert Envelope.decode(body).event() == event
    assert headers["Commerce-Event-Type"] == "OrderPlaced"
    now = shop.clock.now()
    assert verify(endpoint.secret, headers[SIGNATURE_HEADER], body, now)
    assert not verify("whsec_other", headers[SIGNATURE_HEADER], body, now)
    assert not verify(endpoint.secret, headers[SIGNATURE_HEADER], body + b" ", now)
    assert not verify(endpoint.secret, headers[SIGNATURE_HEADER], body,
                      now + timedelta(minutes=6))  # a replay, too late
    assert headers[SIGNATURE_HEADER] == sign(endpoint.secret, body, now)


def test_failures_are_retried_with_backoff_then_given_up_and_logged(
        shop: Commerce, clock: ManualClock) -> None:
    receiver = Receiver(500, None, *([503] * 10))
    shop.webhooks._sender = receiver
    shop.webhooks._max_attempts = 4
    endpoint = shop.webhooks.register(ADMIN, "https://a.test/h", ["RefundIssued"])
    shop.webhooks.handle(RefundIssued(occurred_at=shop.clock.now(), order_id=1, payment_id=2,
                                      refund_id=3, user_id=456, amount=Money("1", "EUR")))
    assert shop.webhooks.deliver_due() == {"pending": 1, "sent": 0, "failed": 0}
    assert shop.webhooks.deliver_due()["pending"] == 0  # not due again yet
    waits = []
    for delay in (30, 60, 120):
        clock.advance(timedelta(seconds=delay - 1))
        assert sum(shop.webhooks.deliver_due().values()) == 0
        clock.advance(timedelta(seconds=1))
        waits.append(shop.webhooks.deliver_due())
    assert waits[-1] == {"pending": 0, "sent": 0, "failed": 1}
    (log,) = shop.webhooks.deliveries(ADMIN, endpoint.id)
    assert (log.state, log.attempts, log.last_status, log.last_error) == (
        DeliveryState.FAILED, 4, 503, "HTTP 503")
    assert len(receiver.got) == 4


def test_a_disabled_endpoint_gets_nothing_new(shop: Commerce, receiver: Receiver) -> None:
    endpoint = shop.webhooks.register(ADMIN, "https://a.test/h", ["*"])
    shop.webhooks.disable(ADMIN, endpoint.id)
    assert shop.webhooks.handle(OrderPlaced(
        occurred_at=shop.clock.now(), order_id=1, order_number="ORD-1", user_id=456,
        total=Money("1", "EUR"))) == 0


@pytest.fixture
def http_receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    got: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append((dict(self.headers), body))
            self.send_response(202 if len(got) > 1 else 500)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hooks", got
    server.shutdown()


def test_the_http_sender_posts_the_signed_body_and_reads_any_status(
        http_receiver: tuple[str, list[tuple[dict[str, str], bytes]]]) -> None:
    url, got = http_receiver
    sender = UrllibSender()
    body = json.dumps({"x": 1}).encode()
    assert sender.post(url, body, {"Commerce-Signature": "t=1,v1=ab"}, 5) == 500
    assert sender.post(url, body, {"Content-Type": "application/json"}, 5) == 202
    assert got[0] == ({**got[0][0], "Commerce-Signature": "t=1,v1=ab"}, body)
    with pytest.raises(OSError):
        sender.post("http://127.0.0.1:9/none", body, {}, 1)

