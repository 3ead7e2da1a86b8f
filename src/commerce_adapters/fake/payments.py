"""A fake payment gateway that behaves like a real one, driven by test tokens.

| token                     | outcome                                                      |
|---------------------------|--------------------------------------------------------------|
| ``tok_visa`` (any other)  | succeeds                                                     |
| ``tok_chargeDeclined``    | declined: card_declined                                      |
| ``tok_insufficientFunds`` | declined: insufficient_funds                                 |
| ``tok_3ds``               | requires action; finish with :meth:`FakeGateway.complete_action` |
| ``tok_timeout``           | times out every time; nothing is charged                     |
| ``tok_lostResponse``      | charged, but the first answer is lost (a timeout); a retry   |
|                           | with the same idempotency key gets the stored success        |

A charge is made once per idempotency key, as with Stripe. ``outage(True)`` makes every
call time out until ``outage(False)``. Webhooks are signed with HMAC-SHA256.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import threading
from collections.abc import Mapping

import attrs

from commerce_core.errors import PaymentDeclined, TransientError, Unauthenticated, ValidationError
from commerce_core.money import Money
from commerce_core.payments.ports import (
    ChargeRequest,
    ChargeResult,
    ChargeStatus,
    GatewayEvent,
    GatewayEventKind,
    RefundResult,
)

SIGNATURE_HEADER = "Fake-Signature"
_DECLINES = {"tok_chargeDeclined": "card_declined", "tok_insufficientFunds": "insufficient_funds"}


@attrs.define
class FakeCharge:
    key: str
    amount: Money
    status: ChargeStatus
    transaction_id: str
    refunded: Money
    decline_reason: str = ""
    voided: bool = False

    def result(self) -> ChargeResult:
        return ChargeResult(self.status, self.transaction_id, self.decline_reason,
                            {"id": self.transaction_id, "status": self.status.value,
                             "amount": str(self.amount.amount)})


class FakeGateway:
    def __init__(self, webhook_secret: str = "whsec_fake") -> None:
        self._secret = webhook_secret.encode()
        self._lock = threading.Lock()
        self._charges: dict[str, FakeCharge] = {}
        self._by_txn: dict[str, FakeCharge] = {}
        self._refund_keys: dict[str, RefundResult] = {}
        self._seq = itertools.count(1)
        # ids unique across processes too: two server workers each run their own fake
        self._prefix = secrets.token_hex(3)
        self._down = False
        self._lost_once: set[str] = set()
        self.calls = 0

    # The port -------------------------------------------------------------------------------
    def charge(self, request: ChargeRequest) -> ChargeResult:
        with self._lock:
            self.calls += 1
            self._check_up()
            existing = self._charges.get(request.idempotency_key)
            if existing is not None:
                if existing.amount != request.amount:
                    raise ValidationError("idempotency key reused with another amount")
                return existing.result()
            if request.token == "tok_timeout":
                raise TransientError("gateway timed out")
            charge = self._new_charge(request)
            if request.token == "tok_lostResponse" and request.idempotency_key not in \
                    self._lost_once:
                self._lost_once.add(request.idempotency_key)
                raise TransientError("gateway timed out after charging")
            return charge.result()

    def _new_charge(self, request: ChargeRequest) -> FakeCharge:
        if request.amount.is_negative or request.amount.is_zero:
            raise ValidationError("amount must be positive")
        status, reason = ChargeStatus.SUCCEEDED, ""
        if request.token in _DECLINES:
            status, reason = ChargeStatus.DECLINED, _DECLINES[request.token]
        elif request.token == "tok_3ds":
            status = ChargeStatus.REQUIRES_ACTION
        txn = f"txn_fake_{self._prefix}_{next(self._seq):06d}"
        charge = FakeCharge(request.idempotency_key, request.amount, status, txn,
                            Money.zero(request.amount.currency), reason)
        self._charges[request.idempotency_key] = charge
        self._by_txn[txn] = charge
        return charge

    def lookup(self, idempotency_key: str) -> ChargeResult | None:
        with self._lock:
            self._check_up()
            charge = self._charges.get(idempotency_key)
            return charge.result() if charge else None

    def void(self, idempotency_key: str) -> bool:
        with self._lock:
            self._check_up()
            charge = self._charges.get(idempotency_key)
            if charge is None or charge.voided or charge.status is ChargeStatus.DECLINED:
                return False
            charge.voided = True
            return True

    def refund(self, transaction_id: str, amount: Money, idempotency_key: str) -> RefundResult:
        with self._lock:
            self._check_up()
            if idempotency_key in self._refund_keys:
                return self._refund_keys[idempotency_key]
            charge = self._by_txn.get(transaction_id)
            if charge is None or charge.status is not ChargeStatus.SUCCEEDED or charge.voided:
                raise PaymentDeclined(f"no captured charge {transaction_id}")
            if charge.refunded + amount > charge.amount:
                raise PaymentDeclined("refund exceeds the captured amount")
            charge.refunded = charge.refunded + amount
            result = RefundResult(f"re_fake_{self._prefix}_{next(self._seq):06d}",
                                  {"amount": str(amount.amount), "charge": transaction_id})
            self._refund_keys[idempotency_key] = result
            return result

    def verify_event(self, body: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        given = {k.lower(): v for k, v in headers.items()}.get(SIGNATURE_HEADER.lower(), "")
        if not hmac.compare_digest(given, self.sign(body)):
            raise Unauthenticated("webhook signature does not match")
        try:
            data = json.loads(body)
            return GatewayEvent(GatewayEventKind(data["type"]), str(data["transaction_id"]),
                                str(data.get("reason", "")))
        except (ValueError, KeyError, TypeError) as ex:
            raise ValidationError("malformed webhook body") from ex

    # Test controls --------------------------------------------------------------------------
    def sign(self, body: bytes) -> str:
        return hmac.new(self._secret, body, hashlib.sha256).hexdigest()

    def outage(self, down: bool) -> None:
        with self._lock:
            self._down = down

    def _check_up(self) -> None:
        if self._down:
            raise TransientError("gateway unreachable")

    def complete_action(self, transaction_id: str, succeed: bool = True
                        ) -> tuple[bytes, dict[str, str]]:
        """The customer finished (or failed) 3-D Secure: returns the signed webhook to send."""
        with self._lock:
            charge = self._by_txn[transaction_id]
            charge.status = ChargeStatus.SUCCEEDED if succeed else ChargeStatus.DECLINED
            kind = GatewayEventKind.CHARGE_SUCCEEDED if succeed else \
                GatewayEventKind.CHARGE_FAILED
        body = json.dumps({"type": kind.value, "transaction_id": transaction_id,
                           "reason": "" if succeed else "authentication_failed"}).encode()
        return body, {SIGNATURE_HEADER: self.sign(body)}

    def net_captured(self, currency: str = "USD") -> Money:
        """Money the shop keeps: succeeded charges, less voids and refunds."""
        with self._lock:
            kept = Money.zero(currency)
            for c in self._charges.values():
                if c.status is ChargeStatus.SUCCEEDED and not c.voided:
                    kept = kept + c.amount - c.refunded
            return kept

    def charge_count(self, status: ChargeStatus = ChargeStatus.SUCCEEDED) -> int:
        with self._lock:
            return sum(1 for c in self._charges.values() if c.status is status and not c.voided)


_shared: dict[str, FakeGateway] = {}
_shared_lock = threading.Lock()


def shared_gateway() -> FakeGateway:
    """``fake://``: one fake per process, shared by every shop connected in it, as a real
    gateway is one service for all its clients (a refund finds the charge another shop
    object of this process took). Other processes have their own, as their ids show."""
    with _shared_lock:
        if "fake" not in _shared:
            _shared["fake"] = FakeGateway()
        return _shared["fake"]
