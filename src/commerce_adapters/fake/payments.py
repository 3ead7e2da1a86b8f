"""A fake payment gateway that behaves like Stripe, driven by test tokens. NO MONEY MOVES.

| token                     | outcome                                                      |
|---------------------------|--------------------------------------------------------------|
| ``tok_visa`` (any other)  | succeeds                                                     |
| ``tok_chargeDeclined``    | declined: card_declined                                      |
| ``tok_insufficientFunds`` | declined: insufficient_funds                                 |
| ``tok_3ds``               | requires action; finish with :meth:`FakeGateway.complete_action` |
| ``tok_timeout``           | times out every time; nothing is charged                     |
| ``tok_lostResponse``      | charged, but the first answer is lost (a timeout); a retry   |
|                           | with the same idempotency key gets the stored success        |

A charge is made once per idempotency key, as with Stripe. Its state is kept in a ledger
(``ledger.py``): in this process for ``memory://`` shops, in the shop's SQL database
otherwise, so every worker process of a server sees every charge (a refund reaching another
worker finds its charge; two workers charging one key charge once). ``outage(True)`` makes
this object's calls time out until ``outage(False)``. Webhooks are Stripe-shaped events
signed with Stripe's timestamped scheme (``commerce_adapters.stripe.events``).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from commerce_adapters.fake.ledger import FakeCharge, FakeLedger, MemoryLedger
from commerce_adapters.sql.fake_gateway import SqlLedger
from commerce_adapters.stripe import events
from commerce_core.errors import TransientError, ValidationError
from commerce_core.money import Money
from commerce_core.payments.ports import (
    ChargeRequest,
    ChargeResult,
    ChargeStatus,
    GatewayEvent,
    GatewayEventKind,
    RefundResult,
)

SIGNATURE_HEADER = events.SIGNATURE_HEADER
_DECLINES = {"tok_chargeDeclined": "card_declined", "tok_insufficientFunds": "insufficient_funds"}
NEXT_ACTION = {"type": "use_stripe_sdk",
               "use_stripe_sdk": {"type": "three_d_secure_redirect"}}


def _result(charge: FakeCharge) -> ChargeResult:
    waiting = charge.status is ChargeStatus.REQUIRES_ACTION
    return ChargeResult(charge.status, charge.transaction_id, charge.decline_reason,
                        {"id": charge.transaction_id, "status": charge.status.value,
                         "amount": str(charge.amount.amount)},
                        client_secret=charge.client_secret if waiting else None,
                        next_action=NEXT_ACTION if waiting else None)


class FakeGateway:
    takes_real_money = False

    def __init__(self, webhook_secret: str | None = None, ledger: FakeLedger | None = None,
                 now: Callable[[], float] = time.time) -> None:
        # no published default: a secret nobody set is random, so nobody can forge events
        self.webhook_secret = webhook_secret or f"whsec_{secrets.token_hex(24)}"
        self._ledger = ledger or MemoryLedger()
        self._now = now
        self._lock = threading.Lock()
        self._down = False
        self.calls = 0

    # The port -------------------------------------------------------------------------------
    def charge(self, request: ChargeRequest) -> ChargeResult:
        with self._lock:
            self.calls += 1
        self._check_up()
        existing = self._ledger.charge(request.idempotency_key)
        if existing is None:
            if request.token == "tok_timeout":
                raise TransientError("gateway timed out")
            existing = self._ledger.add_charge(self._new_charge(request))
        if existing.amount != request.amount:
            raise ValidationError("idempotency key reused with another amount")
        if request.token == "tok_lostResponse" and self._ledger.lose_answer(
                request.idempotency_key):
            raise TransientError("gateway timed out after charging")
        return _result(existing)

    def _new_charge(self, request: ChargeRequest) -> FakeCharge:
        if request.amount.is_negative or request.amount.is_zero:
            raise ValidationError("amount must be positive")
        status, reason = ChargeStatus.SUCCEEDED, ""
        if request.token in _DECLINES:
            status, reason = ChargeStatus.DECLINED, _DECLINES[request.token]
        elif request.token == "tok_3ds":
            status = ChargeStatus.REQUIRES_ACTION
        txn = f"pi_fake_{secrets.token_hex(8)}"  # unique across processes
        return FakeCharge(request.idempotency_key, txn, request.amount, status, reason,
                          Money.zero(request.amount.currency),
                          client_secret=f"{txn}_secret_{secrets.token_hex(8)}",
                          metadata=dict(request.metadata))

    def lookup(self, idempotency_key: str) -> ChargeResult | None:
        self._check_up()
        charge = self._ledger.charge(idempotency_key)
        return _result(charge) if charge else None

    def void(self, idempotency_key: str) -> bool:
        self._check_up()
        return self._ledger.void(idempotency_key)

    def refund(self, transaction_id: str, amount: Money, idempotency_key: str) -> RefundResult:
        self._check_up()
        refund_id = self._ledger.refund(transaction_id, amount, idempotency_key,
                                        f"re_fake_{secrets.token_hex(8)}")
        return RefundResult(refund_id, {"amount": str(amount.amount), "charge": transaction_id})

    def verify_event(self, body: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        events.verify(self.webhook_secret, body, events.header(headers), self._now())
        return events.parse(events.loads(body))

    # Test controls --------------------------------------------------------------------------
    def sign(self, body: bytes, timestamp: float | None = None) -> dict[str, str]:
        """Headers that sign ``body`` as this gateway does (now, or at ``timestamp``)."""
        when = int(self._now() if timestamp is None else timestamp)
        return {SIGNATURE_HEADER: events.signature(self.webhook_secret, body, when)}

    def outage(self, down: bool) -> None:
        with self._lock:
            self._down = down

    def _check_up(self) -> None:
        if self._down:
            raise TransientError("gateway unreachable")

    def complete_action(self, transaction_id: str, succeed: bool = True
                        ) -> tuple[bytes, dict[str, str]]:
        """The customer finished (or failed) 3-D Secure: returns the signed webhook to send."""
        status = ChargeStatus.SUCCEEDED if succeed else ChargeStatus.DECLINED
        reason = "" if succeed else "payment_intent_authentication_failure"
        charge = self._ledger.finish_action(transaction_id, status, reason)
        kind = (GatewayEventKind.PAYMENT_SUCCEEDED if succeed
                else GatewayEventKind.PAYMENT_FAILED)
        return self.event(kind.value, self.intent(charge))

    def event(self, kind: str, obj: Mapping[str, Any], timestamp: float | None = None
              ) -> tuple[bytes, dict[str, str]]:
        """A signed Stripe-shaped event about ``obj`` (see :meth:`intent`)."""
        when = int(self._now() if timestamp is None else timestamp)
        body = json.dumps({"id": f"evt_fake_{secrets.token_hex(8)}", "object": "event",
                           "type": kind, "created": when,
                           "data": {"object": dict(obj)}}).encode()
        return body, self.sign(body, when)

    def intent(self, charge: FakeCharge) -> dict[str, Any]:
        """The charge as a Stripe PaymentIntent object (as its webhooks carry it)."""
        error = ({"code": charge.decline_reason} if charge.decline_reason else None)
        return {"id": charge.transaction_id, "object": "payment_intent",
                "amount": charge.amount.minor_units,
                "currency": charge.amount.currency.lower(),
                "status": charge.status.value, "metadata": {
                    **charge.metadata, "idempotency_key": charge.key},
                "last_payment_error": error}

    def charge_of(self, transaction_id: str) -> FakeCharge:
        charge = self._ledger.by_transaction(transaction_id)
        if charge is None:
            raise KeyError(transaction_id)
        return charge

    def net_captured(self, currency: str = "USD") -> Money:
        """Money the shop keeps: succeeded charges, less voids and refunds."""
        kept = Money.zero(currency)
        for c in self._ledger.charges():
            if c.status is ChargeStatus.SUCCEEDED and not c.voided:
                kept = kept + c.amount - c.refunded
        return kept

    def charge_count(self, status: ChargeStatus = ChargeStatus.SUCCEEDED) -> int:
        return sum(1 for c in self._ledger.charges() if c.status is status and not c.voided)


_shared: dict[str, FakeGateway] = {}
_shared_lock = threading.Lock()


def open_fake(url: str, database_url: str, webhook_secret: str | None = None) -> FakeGateway:
    """``fake://``: one fake per process and database, its ledger in that database when it
    is a SQL one (so every worker process sees every charge), in this process for
    ``memory://`` (one process anyway). A refund finds the charge another shop object, or
    another process, took."""
    kind = database_url.split(":", 1)[0].split("+", maxsplit=1)[0]
    with _shared_lock:
        where = database_url if kind != "memory" else "memory"
        name = f"{where}|{webhook_secret}"
        if name not in _shared:
            ledger: FakeLedger | None = None
            if kind != "memory":
                ledger = SqlLedger(database_url)
            _shared[name] = FakeGateway(webhook_secret, ledger)
        return _shared[name]


def shared_gateway() -> FakeGateway:
    """The process's in-memory fake (``fake://`` on a ``memory://`` shop)."""
    return open_fake("fake://", "memory://")
