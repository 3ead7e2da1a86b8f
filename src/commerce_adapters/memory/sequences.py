"""In-memory named sequences."""

from __future__ import annotations

from commerce_adapters.memory.state import Journal, MemoryState


class MemorySequences:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows = state.table("sequences")
        self._j = journal

    def next_value(self, name: str) -> int:
        value = int(self._rows.get(name, 0)) + 1
        self._j.put(self._rows, name, value)
        return value
