"""Fraud checks and the review queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository
from commerce_core.errors import Conflict, NotFound
from commerce_core.fraud.model import FraudCheck, FraudStatus
from commerce_core.fraud.ports import BuyerHistory
from commerce_core.money import Money
from commerce_core.pagination import Page, PageRequest
from commerce_core.payments.model import PaymentState

f = t.fraud_checks
_SINCE = t.orders.c.created_at.type
# one round trip, no lock: screening must not make one buyer's checkouts queue
_HISTORY = sa.select(
    sa.select(sa.func.count()).where(
        t.orders.c.user_id == sa.bindparam("u"),
        t.orders.c.created_at >= sa.bindparam("orders_since", type_=_SINCE)
    ).scalar_subquery().label("orders"),
    sa.select(t.users.c.created_at).where(t.users.c.id == sa.bindparam("u"))
    .scalar_subquery().label("created_at"),
    sa.select(sa.func.count()).where(
        t.payments.c.user_id == sa.bindparam("u"),
        t.payments.c.status == PaymentState.FAILED.value,
        t.payments.c.updated_at >= sa.bindparam("failures_since", type_=_SINCE)
    ).scalar_subquery().label("failures"))


def _check_row(c: FraudCheck) -> dict[str, Any]:
    return {"order_id": c.order_id, "user_id": c.user_id, "score": c.score,
            "signals": list(c.signals), "status": c.status.value, "total": c.total.amount,
            "currency": c.total.currency, "reviewed_by": c.reviewed_by, "note": c.note,
            "created_at": c.created_at, "updated_at": c.updated_at}


def _check(r: Any) -> FraudCheck:
    return FraudCheck(r.order_id, r.user_id, r.score, list(r.signals), FraudStatus(r.status),
                      Money(r.total, r.currency), r.created_at, r.updated_at, r.reviewed_by,
                      r.note)


class SqlFraud(SqlRepository):
    def history(self, user_id: int, orders_since: datetime,
                failures_since: datetime) -> BuyerHistory:
        row = self.execute(_HISTORY, {"u": user_id, "orders_since": orders_since,
                                      "failures_since": failures_since}).one()
        return BuyerHistory(int(row.orders), row.created_at, int(row.failures))

    def add(self, check: FraudCheck) -> None:
        self.insert(f, [_check_row(check)],
                    taken=Conflict(f"order {check.order_id} was screened already"))

    def find(self, order_id: int) -> FraudCheck | None:
        row = self.one(sa.select(f).where(f.c.order_id == order_id))
        return None if row is None else _check(row)

    def update(self, check: FraudCheck) -> None:
        if not self.execute(f.update().where(f.c.order_id == check.order_id)
                            .values(_check_row(check))).rowcount:
            raise NotFound(f"order {check.order_id} has no fraud check")

    def queue(self, status: FraudStatus, page: PageRequest) -> Page[FraudCheck]:
        stmt = sa.select(f).where(f.c.status == status.value).order_by(
            f.c.score.desc(), f.c.created_at, f.c.order_id)
        return self.page(stmt, page, lambda rows: [_check(r) for r in rows])
