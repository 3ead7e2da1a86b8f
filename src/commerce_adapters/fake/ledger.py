"""Where the fake gateway keeps its charges: the fake's "Stripe account".

Each method is atomic, as the real gateway's API calls are: a charge is stored once per
idempotency key (the first wins), a refund only fits what is left of its charge.
:class:`MemoryLedger` keeps them in this process; ``commerce_adapters.sql.fake_gateway``
in the shop's SQL database, for every process of a server.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

import attrs

from commerce_core.errors import PaymentDeclined
from commerce_core.money import Money
from commerce_core.payments.ports import ChargeStatus


@attrs.define
class FakeCharge:
    key: str
    transaction_id: str
    amount: Money
    status: ChargeStatus
    decline_reason: str
    refunded: Money
    voided: bool = False
    client_secret: str = ""
    metadata: dict[str, Any] = attrs.field(factory=dict)


class FakeLedger(Protocol):
    def add_charge(self, charge: FakeCharge) -> FakeCharge:
        """Store ``charge`` unless its key has one; the charge stored for the key."""
        ...

    def charge(self, key: str) -> FakeCharge | None:
        ...

    def by_transaction(self, transaction_id: str) -> FakeCharge | None:
        ...

    def finish_action(self, transaction_id: str, status: ChargeStatus,
                      reason: str) -> FakeCharge:
        """A charge waiting for the customer succeeds or fails; KeyError if unknown."""
        ...

    def void(self, key: str) -> bool:
        """Reverse the key's charge unless declined; True if it stands reversed."""
        ...

    def refund(self, transaction_id: str, amount: Money, key: str, refund_id: str) -> str:
        """Refund ``amount`` of a captured charge once per key; the refund's id (the first
        call's for a repeated key). PaymentDeclined if no such capture or it does not fit."""
        ...

    def lose_answer(self, key: str) -> bool:
        """True the first time it is asked for ``key`` (that answer is lost)."""
        ...

    def charges(self) -> list[FakeCharge]:
        ...


def refund_refusal(charge: FakeCharge | None, transaction_id: str,
                   amount: Money) -> PaymentDeclined | None:
    """Why the gateway refuses this refund, or None if it fits."""
    if charge is None or charge.status is not ChargeStatus.SUCCEEDED or charge.voided:
        return PaymentDeclined(f"no captured charge {transaction_id}")
    if amount.is_negative or amount.is_zero:
        return PaymentDeclined("refund amount must be positive")
    if charge.refunded + amount > charge.amount:
        return PaymentDeclined("refund exceeds the captured amount")
    return None


class MemoryLedger:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[str, FakeCharge] = {}
        self._by_txn: dict[str, FakeCharge] = {}
        self._refunds: dict[str, str] = {}
        self._lost: set[str] = set()

    def add_charge(self, charge: FakeCharge) -> FakeCharge:
        with self._lock:
            stored = self._by_key.setdefault(charge.key, charge)
            self._by_txn[stored.transaction_id] = stored
            return attrs.evolve(stored)

    def charge(self, key: str) -> FakeCharge | None:
        with self._lock:
            found = self._by_key.get(key)
            return attrs.evolve(found) if found else None

    def by_transaction(self, transaction_id: str) -> FakeCharge | None:
        with self._lock:
            found = self._by_txn.get(transaction_id)
            return attrs.evolve(found) if found else None

    def finish_action(self, transaction_id: str, status: ChargeStatus,
                      reason: str) -> FakeCharge:
        with self._lock:
            charge = self._by_txn[transaction_id]
            if charge.status is ChargeStatus.REQUIRES_ACTION:
                charge.status, charge.decline_reason = status, reason
            return attrs.evolve(charge)

    def void(self, key: str) -> bool:
        with self._lock:
            charge = self._by_key.get(key)
            if charge is None or charge.status is ChargeStatus.DECLINED:
                return False
            charge.voided = True
            return True

    def refund(self, transaction_id: str, amount: Money, key: str, refund_id: str) -> str:
        with self._lock:
            if key in self._refunds:
                return self._refunds[key]
            charge = self._by_txn.get(transaction_id)
            refusal = refund_refusal(charge, transaction_id, amount)
            if refusal is not None or charge is None:
                raise refusal or PaymentDeclined(f"no captured charge {transaction_id}")
            charge.refunded = charge.refunded + amount
            self._refunds[key] = refund_id
            return refund_id

    def lose_answer(self, key: str) -> bool:
        with self._lock:
            if key in self._lost:
                return False
            self._lost.add(key)
            return True

    def charges(self) -> list[FakeCharge]:
        with self._lock:
            return [attrs.evolve(c) for c in self._by_key.values()]
