"""Settings storage (inside a unit of work, so a checkout reads them in its own
transaction)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from commerce_core.settings.model import Section, SectionValue, StoredSection


class SettingsRepository(Protocol):
    def versions(self) -> Mapping[Section, int]:
        """The version of each stored section, in one small read without locks; empty
        until a first write. Equal versions mean equal contents: a cached copy keys on it."""
        ...

    def load(self, for_write: bool = False) -> Mapping[Section, StoredSection]:
        """Every stored section with its value and version, in one read. ``for_write``: the
        caller will store a value built from what it read, so another writer of the
        settings waits until this transaction ends (checkouts' plain reads never wait)."""
        ...

    def put(self, section: Section, value: SectionValue | None, by: int | None,
            now: datetime) -> StoredSection:
        """Replace ``section`` (None: back to the defaults) and raise its version by one;
        two writers of one section queue, so no version is given twice."""
        ...
