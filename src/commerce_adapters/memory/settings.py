"""In-memory shop settings: each section's latest write, with its version."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from commerce_adapters.memory.state import Journal, MemoryState, fresh
from commerce_core.settings.model import Section, SectionValue, StoredSection


class MemorySettings:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[Section, StoredSection] = state.table("shop_settings")
        self._j = journal

    def versions(self) -> Mapping[Section, int]:
        return {section: row.version for section, row in self._rows.items()}

    def load(self, for_write: bool = False) -> Mapping[Section, StoredSection]:
        # writers already queue: a unit of work holds the state's lock from begin to end
        return {section: fresh(row) for section, row in self._rows.items()}

    def put(self, section: Section, value: SectionValue | None, by: int | None,
            now: datetime) -> StoredSection:
        before = self._rows.get(section)
        row = StoredSection(section, value, 1 if before is None else before.version + 1,
                            now, by)
        self._j.put(self._rows, section, row)
        return fresh(row)
