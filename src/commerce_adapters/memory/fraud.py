"""In-memory fraud checks and the review queue."""

from __future__ import annotations

from datetime import datetime

from commerce_adapters.memory.state import Journal, MemoryState, fresh
from commerce_core.accounts.model import User
from commerce_core.errors import Conflict, NotFound
from commerce_core.fraud.model import FraudCheck, FraudStatus
from commerce_core.fraud.ports import BuyerHistory
from commerce_core.orders.model import Order
from commerce_core.pagination import Page, PageRequest
from commerce_core.payments.model import Payment, PaymentState


class MemoryFraud:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[int, FraudCheck] = state.table("fraud_checks")
        self._orders: dict[int, Order] = state.table("orders")
        self._users: dict[int, User] = state.table("users")
        self._payments: dict[int, Payment] = state.table("payments")
        self._j = journal

    def history(self, user_id: int, orders_since: datetime,
                failures_since: datetime) -> BuyerHistory:
        user = self._users.get(user_id)
        return BuyerHistory(
            sum(1 for o in self._orders.values()
                if o.user_id == user_id and o.created_at >= orders_since),
            None if user is None else user.created_at,
            sum(1 for p in self._payments.values() if p.user_id == user_id
                and p.status is PaymentState.FAILED and p.updated_at >= failures_since))

    def add(self, check: FraudCheck) -> None:
        if check.order_id in self._rows:
            raise Conflict(f"order {check.order_id} was screened already")
        self._j.put(self._rows, check.order_id, check)

    def find(self, order_id: int) -> FraudCheck | None:
        row = self._rows.get(order_id)
        return None if row is None else fresh(row)

    def update(self, check: FraudCheck) -> None:
        if check.order_id not in self._rows:
            raise NotFound(f"order {check.order_id} has no fraud check")
        self._j.put(self._rows, check.order_id, check)

    def queue(self, status: FraudStatus, page: PageRequest) -> Page[FraudCheck]:
        hits = sorted((c for c in self._rows.values() if c.status is status),
                      key=lambda c: (-c.score, c.created_at, c.order_id))
        chunk = hits[page.offset:page.offset + page.limit]
        return Page([fresh(c) for c in chunk], len(hits), page.page, page.limit)
