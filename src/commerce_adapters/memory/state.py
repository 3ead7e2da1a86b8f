"""The memory backend's tables and the undo journal that makes rollback real."""

from __future__ import annotations

import copy
import threading
from typing import Any, TypeVar

from commerce_core.ids import IdGenerator, SnowflakeIds

T = TypeVar("T")
_ABSENT = object()


class MemoryState:
    """All tables of one in-memory shop. One re-entrant lock serialises units of work:
    simple, and strictly serialisable, which is what the contracts ask for."""

    def __init__(self, ids: IdGenerator | None = None) -> None:
        self.lock = threading.RLock()
        self.ids = ids or SnowflakeIds()
        self.tables: dict[str, dict[Any, Any]] = {}

    def table(self, name: str) -> dict[Any, Any]:
        return self.tables.setdefault(name, {})


class Journal:
    """Remembers each row's value before a unit of work first touched it."""

    def __init__(self) -> None:
        self._before: dict[tuple[int, Any], tuple[dict[Any, Any], Any]] = {}

    def _remember(self, table: dict[Any, Any], key: Any) -> None:
        slot = (id(table), key)
        if slot not in self._before:
            self._before[slot] = (table, table.get(key, _ABSENT))

    def put(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        self._remember(table, key)
        table[key] = copy.deepcopy(value)  # later changes to the caller's object stay out

    def delete(self, table: dict[Any, Any], key: Any) -> None:
        self._remember(table, key)
        table.pop(key, None)

    def rollback(self) -> None:
        for (_, key), (table, value) in reversed(list(self._before.items())):
            if value is _ABSENT:
                table.pop(key, None)
            else:
                table[key] = value
        self._before.clear()

    def forget(self) -> None:
        self._before.clear()


def fresh(value: T) -> T:
    """A private copy for the caller: mutating it changes nothing until it is saved."""
    return copy.deepcopy(value)
