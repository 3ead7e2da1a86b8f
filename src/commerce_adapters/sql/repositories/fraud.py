"""Fraud checks and the review queue."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository
from commerce_core.errors import Conflict, NotFound
from commerce_core.fraud.model import FraudCheck, FraudStatus
from commerce_core.money import Money
from commerce_core.pagination import Page, PageRequest

f = t.fraud_checks


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
    def add(self, check: FraudCheck) -> None:
        if not self.insert_ignore(f, _check_row(check)):
            raise Conflict(f"order {check.order_id} was screened already")

    def find(self, order_id: int) -> FraudCheck | None:
        row = self.one(sa.select(f).where(f.c.order_id == order_id))
        return None if row is None else _check(row)

    def update(self, check: FraudCheck) -> None:
        if not self.c.execute(f.update().where(f.c.order_id == check.order_id)
                              .values(_check_row(check))).rowcount:
            raise NotFound(f"order {check.order_id} has no fraud check")

    def queue(self, status: FraudStatus, page: PageRequest) -> Page[FraudCheck]:
        stmt = sa.select(f).where(f.c.status == status.value).order_by(
            f.c.score.desc(), f.c.created_at, f.c.order_id)
        return self.page(stmt, page, lambda rows: [_check(r) for r in rows])
