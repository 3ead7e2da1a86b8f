"""In-memory record of the events each consumer group has processed."""

from __future__ import annotations

from datetime import datetime

from commerce_adapters.memory.state import Journal, MemoryState


class MemoryProcessedEvents:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[tuple[str, str], datetime] = state.table("processed_events")
        self._j = journal

    def add(self, group: str, event_id: str, at: datetime) -> bool:
        if (group, event_id) in self._rows:
            return False
        self._j.put(self._rows, (group, event_id), at)
        return True

    def seen(self, group: str, event_id: str) -> bool:
        return (group, event_id) in self._rows
