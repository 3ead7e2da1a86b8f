"""In-memory fraud checks and the review queue."""

from __future__ import annotations

from commerce_adapters.memory.state import Journal, MemoryState, fresh
from commerce_core.errors import Conflict, NotFound
from commerce_core.fraud.model import FraudCheck, FraudStatus
from commerce_core.pagination import Page, PageRequest


class MemoryFraud:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[int, FraudCheck] = state.table("fraud_checks")
        self._j = journal

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
