"""The fake payment gateway's ledger in the shop's SQL database (tables ``fake_gateway_*``,
migration 0008): every worker process of a server sees every charge. NO MONEY MOVES.

Each method is one short transaction of its own (the "gateway" is outside the shop's units
of work): a charge is an INSERT whose primary key is the idempotency key (the first wins),
a refund a conditional UPDATE that only fits what is left of the charge.
"""

from __future__ import annotations

from typing import Any

import attrs
import sqlalchemy as sa

from commerce_adapters.fake.ledger import FakeCharge, refund_refusal
from commerce_adapters.sql.database import PoolSettings, create_engine
from commerce_adapters.sql.schema import fake_gateway_charges as charges
from commerce_adapters.sql.schema import fake_gateway_refunds as refunds
from commerce_core.errors import PaymentDeclined
from commerce_core.money import Money
from commerce_core.payments.ports import ChargeStatus


def _charge(row: Any) -> FakeCharge:
    return FakeCharge(row.idempotency_key, row.transaction_id, Money(row.amount, row.currency),
                      ChargeStatus(row.status), row.decline_reason,
                      Money(row.refunded, row.currency), bool(row.voided), row.client_secret,
                      dict(row.metadata))


class SqlLedger:
    def __init__(self, database_url: str) -> None:
        # a few connections: each call is one short transaction (a gateway round trip)
        self._engine = create_engine(database_url, PoolSettings(pool_size=2, max_overflow=8))

    def close(self) -> None:
        """Close the ledger's connections (its engine is its own)."""
        self._engine.dispose()

    def _one(self, where: Any) -> FakeCharge | None:
        with self._engine.begin() as conn:
            row = conn.execute(sa.select(charges).where(where)).first()
        return _charge(row) if row else None

    def add_charge(self, charge: FakeCharge) -> FakeCharge:
        values = {**attrs.asdict(charge, recurse=False), "idempotency_key": charge.key,
                  "amount": charge.amount.amount, "currency": charge.amount.currency,
                  "refunded": charge.refunded.amount, "status": charge.status.value,
                  "answer_lost": False}
        del values["key"]
        try:
            with self._engine.begin() as conn:
                conn.execute(charges.insert().values(**values))
        except sa.exc.IntegrityError:
            pass  # another process charged this key first: its charge stands
        stored = self.charge(charge.key)
        if stored is None:  # pragma: no cover - a row never goes away
            raise RuntimeError(f"fake charge {charge.key} vanished")
        return stored

    def charge(self, key: str) -> FakeCharge | None:
        return self._one(charges.c.idempotency_key == key)

    def by_transaction(self, transaction_id: str) -> FakeCharge | None:
        return self._one(charges.c.transaction_id == transaction_id)

    def finish_action(self, transaction_id: str, status: ChargeStatus,
                      reason: str) -> FakeCharge:
        with self._engine.begin() as conn:
            conn.execute(charges.update().where(
                charges.c.transaction_id == transaction_id,
                charges.c.status == ChargeStatus.REQUIRES_ACTION.value,
            ).values(status=status.value, decline_reason=reason))
        found = self.by_transaction(transaction_id)
        if found is None:
            raise KeyError(transaction_id)
        return found

    def void(self, key: str) -> bool:
        with self._engine.begin() as conn:
            done = conn.execute(charges.update().where(
                charges.c.idempotency_key == key,
                charges.c.status != ChargeStatus.DECLINED.value).values(voided=True))
        return done.rowcount == 1

    def refund(self, transaction_id: str, amount: Money, key: str, refund_id: str) -> str:
        try:
            with self._engine.begin() as conn:
                earlier = conn.execute(sa.select(refunds.c.refund_id).where(
                    refunds.c.idempotency_key == key)).scalar()
                if earlier is not None:
                    return str(earlier)
                fitted = conn.execute(charges.update().where(
                    charges.c.transaction_id == transaction_id,
                    charges.c.status == ChargeStatus.SUCCEEDED.value,
                    charges.c.voided == sa.false(),
                    charges.c.currency == amount.currency,
                    charges.c.refunded + amount.amount <= charges.c.amount,
                ).values(refunded=charges.c.refunded + amount.amount))
                if fitted.rowcount != 1:
                    raise self._refusal(conn, transaction_id, amount)
                conn.execute(refunds.insert().values(
                    idempotency_key=key, refund_id=refund_id, transaction_id=transaction_id,
                    amount=amount.amount))
            return refund_id
        except sa.exc.IntegrityError:  # a twin with this key refunded first: its refund
            with self._engine.begin() as conn:
                return str(conn.execute(sa.select(refunds.c.refund_id).where(
                    refunds.c.idempotency_key == key)).scalar_one())

    def _refusal(self, conn: sa.Connection, transaction_id: str,
                 amount: Money) -> PaymentDeclined:
        row = conn.execute(sa.select(charges).where(
            charges.c.transaction_id == transaction_id)).first()
        return (refund_refusal(_charge(row) if row else None, transaction_id, amount)
                or PaymentDeclined("refund exceeds the captured amount"))

    def lose_answer(self, key: str) -> bool:
        with self._engine.begin() as conn:
            done = conn.execute(charges.update().where(
                charges.c.idempotency_key == key, charges.c.answer_lost == sa.false(),
            ).values(answer_lost=True))
        return done.rowcount == 1

    def charges(self) -> list[FakeCharge]:
        with self._engine.begin() as conn:
            return [_charge(r) for r in conn.execute(sa.select(charges))]
