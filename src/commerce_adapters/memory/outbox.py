"""The in-memory outbox of committed events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from commerce_adapters.memory.state import Journal, MemoryState
from commerce_core.uow import OutboxEntry


class MemoryOutbox:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows = state.table("outbox")
        self._j = journal

    def add(self, entry: OutboxEntry) -> None:
        self._j.put(self._rows, entry.id, entry)

    def pending(self, limit: int, before: datetime | None = None) -> Sequence[OutboxEntry]:
        waiting = sorted((e for e in self._rows.values() if e.published_at is None
                          and (before is None or e.created_at < before)), key=lambda e: e.id)
        return waiting[:limit]

    def claim(self, limit: int, before: datetime | None = None) -> Sequence[OutboxEntry]:
        return self.pending(limit, before)  # one writer at a time holds the memory store

    def mark_published(self, entry_ids: Sequence[int], now: datetime) -> None:
        for entry_id in entry_ids:
            entry = self._rows.get(entry_id)
            if entry is not None and entry.published_at is None:
                self._j.put(self._rows, entry_id,
                            OutboxEntry(entry.id, entry.event, entry.created_at, now))
