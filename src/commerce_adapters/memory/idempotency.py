"""In-memory idempotency records."""

from __future__ import annotations

from datetime import datetime

from commerce_adapters.memory.state import Journal, MemoryState
from commerce_core.errors import Conflict
from commerce_core.idempotency import IdempotencyRecord


class MemoryIdempotency:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows = state.table("idempotency")
        self._j = journal

    def get(self, scope: str, key: str) -> IdempotencyRecord | None:
        record: IdempotencyRecord | None = self._rows.get((scope, key))
        return record

    def add(self, record: IdempotencyRecord) -> None:
        if (record.scope, record.key) in self._rows:
            raise Conflict("this Idempotency-Key is already in use",
                           {"idempotency_key": record.key})
        self._j.put(self._rows, (record.scope, record.key), record)

    def purge(self, older_than: datetime) -> int:
        old = [k for k, r in self._rows.items() if r.created_at < older_than]
        for k in old:
            self._j.delete(self._rows, k)
        return len(old)
