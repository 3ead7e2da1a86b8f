"""The memory backend's tables and the undo journal that makes rollback real."""

from __future__ import annotations

import copy
import enum
import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar, cast

import attrs

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
        self._appended: list[tuple[list[Any], int]] = []

    def _remember(self, table: dict[Any, Any], key: Any) -> None:
        slot = (id(table), key)
        if slot not in self._before:
            self._before[slot] = (table, table.get(key, _ABSENT))

    def put(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        self._remember(table, key)
        table[key] = fresh(value)  # later changes to the caller's object stay out

    def delete(self, table: dict[Any, Any], key: Any) -> None:
        self._remember(table, key)
        table.pop(key, None)

    def append(self, table: dict[Any, list[Any]], key: Any, record: Any) -> None:
        """Add an immutable record to an append-only log in O(1); rollback truncates it."""
        log = table.setdefault(key, [])
        self._appended.append((log, len(log)))
        log.append(record)

    def rollback(self) -> None:
        for log, length in reversed(self._appended):
            del log[length:]
        self._appended.clear()
        for (_, key), (table, value) in reversed(list(self._before.items())):
            if value is _ABSENT:
                table.pop(key, None)
            else:
                table[key] = value
        self._before.clear()

    def forget(self) -> None:
        self._before.clear()
        self._appended.clear()


_LEAVES = (str, int, float, bytes, Decimal, datetime, date, timedelta, enum.Enum, type(None))


def fresh(value: T) -> T:
    """A private copy for the caller: mutating it changes nothing until it is saved.

    Shares immutable leaves and copies containers and attrs instances field by field, without
    re-running their validators: an order of magnitude cheaper than ``copy.deepcopy``, which
    rebuilds every datetime and Decimal through ``__reduce_ex__``. Model graphs have no cycles.
    """
    return cast(T, _clone(value))


def _clone(value: Any) -> Any:
    if isinstance(value, _LEAVES):
        return value
    if isinstance(value, list):
        return [_clone(v) for v in value]
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_clone(v) for v in value)
    if isinstance(value, set | frozenset):
        return type(value)(value)  # hashable members are immutable here
    cls = type(value)
    if attrs.has(cls):
        clone = object.__new__(cls)
        for field in attrs.fields(cls):
            object.__setattr__(clone, field.name, _clone(getattr(value, field.name)))
        return clone
    return copy.deepcopy(value)
