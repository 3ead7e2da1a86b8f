"""Outgoing webhooks: endpoints an admin registers per event type; each event they want is
queued as a delivery (in the consumer's transaction, so once per event and endpoint), then
sent signed, retried with exponential backoff, and logged.

Signature (as Stripe's): header ``Commerce-Signature: t=<unix seconds>,v1=<hex>``, where
``hex`` is HMAC-SHA256 of ``"<t>.<body>"`` under the endpoint's secret. A receiver checks it
with :func:`verify` and refuses a ``t`` older than a few minutes (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.bus.envelope import Envelope
from commerce_core.clock import Clock
from commerce_core.errors import ValidationError
from commerce_core.events import DomainEvent, event_types
from commerce_core.ids import IdGenerator
from commerce_core.uow import Transactions
from commerce_core.webhooks.model import Delivery, DeliveryState, Endpoint
from commerce_core.webhooks.ports import WebhookSender

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "Commerce-Signature"
TOLERANCE = timedelta(minutes=5)


def sign(secret: str, body: bytes, at: datetime) -> str:
    """The signature header's value for ``body`` sent at ``at``."""
    t = int(at.timestamp())
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(secret: str, header: str, body: bytes, now: datetime,
           tolerance: timedelta = TOLERANCE) -> bool:
    """For receivers: the header signs ``body`` under ``secret`` within ``tolerance``."""
    fields = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        t = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now.timestamp() - t) > tolerance.total_seconds():
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("v1", ""))


class WebhookService:
    def __init__(self, tx: Transactions, sender: WebhookSender, ids: IdGenerator,
                 clock: Clock, max_attempts: int = 8,
                 base_delay: timedelta = timedelta(seconds=30),
                 lease: timedelta = timedelta(minutes=2), timeout: float = 10.0) -> None:
        self._tx, self._sender, self._ids, self._clock = tx, sender, ids, clock
        self._max_attempts, self._base_delay = max_attempts, base_delay
        self._lease, self._timeout = lease, timeout

    # Endpoints (admins) ---------------------------------------------------------------
    def register(self, actor: Actor, url: str, event_types_: Sequence[str]) -> Endpoint:
        """A new endpoint for these event names (``*``: all); its secret is in the answer."""
        authorize(actor, Action.MANAGE_WEBHOOKS)
        _check_url(url)
        wanted = sorted(set(event_types_))
        known = set(event_types())
        unknown = [t for t in wanted if t != "*" and t not in known]
        if not wanted or unknown:
            raise ValidationError(f"unknown event types: {', '.join(unknown) or '(none)'}; "
                                  f"known: *, {', '.join(sorted(known))}",
                                  {"event_types": "unknown" if unknown else "required"})
        endpoint = Endpoint(self._ids.next_id(), url, wanted,
                            f"whsec_{secrets.token_urlsafe(32)}", self._clock.now())
        with self._tx() as uow:
            uow.webhooks.add_endpoint(endpoint)
        return endpoint

    def endpoints(self, actor: Actor) -> list[Endpoint]:
        authorize(actor, Action.MANAGE_WEBHOOKS)
        with self._tx.read() as uow:
            return list(uow.webhooks.endpoints())

    def disable(self, actor: Actor, endpoint_id: int) -> Endpoint:
        """Stop queueing deliveries for the endpoint (its log stays)."""
        authorize(actor, Action.MANAGE_WEBHOOKS)
        with self._tx() as uow:
            endpoint = uow.webhooks.endpoint(endpoint_id)
            endpoint.active = False
            uow.webhooks.update_endpoint(endpoint)
        return endpoint

    def deliveries(self, actor: Actor, endpoint_id: int, limit: int = 50) -> list[Delivery]:
        """The endpoint's delivery log, newest first."""
        authorize(actor, Action.MANAGE_WEBHOOKS)
        with self._tx.read() as uow:
            uow.webhooks.endpoint(endpoint_id)  # NotFound for an unknown one
            return list(uow.webhooks.deliveries(endpoint_id, limit))

    # Consuming -------------------------------------------------------------------------
    def consume(self, event: DomainEvent) -> None:
        """The event handler to subscribe to a bus or consumer group (the service itself
        is one, taking a batch at once where the bus has one)."""
        self.handle(event)

    __call__ = consume

    def handle_many(self, events: Sequence[DomainEvent]) -> None:
        self._queue(events)

    def handle(self, event: DomainEvent) -> int:
        """Queue a delivery of the event to each endpoint that wants it; how many new."""
        return self._queue([event])

    def _queue(self, events: Sequence[DomainEvent]) -> int:
        """One read of the endpoints for all the events, and one transaction for every
        delivery they want (none when none is wanted: most events, and most shops)."""
        with self._tx.read(snapshot=False) as uow:  # one statement: no transaction around it
            endpoints = list(uow.webhooks.endpoints())
        wanted = [(event, endpoint.id) for event in events for endpoint in endpoints
                  if endpoint.wants(event.name)]
        if not wanted:
            return 0
        bodies = {event.event_id: Envelope.of(event).encode().decode() for event, _ in wanted}
        now = self._clock.now()
        with self._tx() as uow:
            return sum(uow.webhooks.add_delivery(Delivery(
                self._ids.next_id(), endpoint_id, event.event_id, event.name,
                bodies[event.event_id], now, now))
                for event, endpoint_id in wanted)

    # Sending ---------------------------------------------------------------------------
    def deliver_due(self, limit: int = 100) -> dict[str, int]:
        """Send due deliveries, each claimed for a lease first; a failure is retried after
        30 s, 1 min, 2 min... up to ``max_attempts``. Counts by resulting state."""
        counts = {s.value: 0 for s in DeliveryState}
        for delivery, endpoint in self._claim(limit):
            status, error = self._send(delivery, endpoint)
            counts[self._record(delivery.id, status, error).value] += 1
        return counts

    def _claim(self, limit: int) -> list[tuple[Delivery, Endpoint]]:
        now = self._clock.now()
        with self._tx() as uow:
            due = list(uow.webhooks.due(now, limit))
            claimed = []
            for delivery in due:
                delivery.attempts += 1
                delivery.next_attempt_at = now + self._lease
                uow.webhooks.update_delivery(delivery)
                claimed.append((delivery, uow.webhooks.endpoint(delivery.endpoint_id)))
            return claimed

    def _send(self, delivery: Delivery, endpoint: Endpoint) -> tuple[int | None, str]:
        body = delivery.body.encode()
        headers = {"Content-Type": "application/json",
                   SIGNATURE_HEADER: sign(endpoint.secret, body, self._clock.now()),
                   "Commerce-Event-Type": delivery.event_type,
                   "Commerce-Event-Id": delivery.event_id,
                   "Commerce-Delivery-Id": str(delivery.id)}
        try:
            status = self._sender.post(endpoint.url, body, headers, self._timeout)
        except OSError as ex:
            return None, f"{type(ex).__name__}: {ex}"[:500]
        return status, "" if 200 <= status < 300 else f"HTTP {status}"

    def _record(self, delivery_id: int, status: int | None, error: str) -> DeliveryState:
        now = self._clock.now()
        with self._tx() as uow:
            delivery = uow.webhooks.delivery(delivery_id)
            delivery.last_status, delivery.last_error = status, error
            if not error:
                delivery.state, delivery.sent_at = DeliveryState.SENT, now
            elif delivery.attempts >= self._max_attempts:
                delivery.state = DeliveryState.FAILED
                log.warning("webhook delivery %s gave up after %d attempts: %s",
                            delivery.id, delivery.attempts, error)
            else:
                delivery.next_attempt_at = now + self._base_delay * 2 ** (delivery.attempts - 1)
            uow.webhooks.update_delivery(delivery)
            return delivery.state


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValidationError("a webhook URL is an http(s):// URL", {"url": "invalid"})
