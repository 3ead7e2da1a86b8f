"""The cache port: bytes under string keys, each with a time to live.

The cache is never the truth: a value may vanish at any moment (eviction, expiry, a restart),
so every reader must be able to load it again. A cache that cannot be reached raises
:class:`~commerce_core.errors.Unavailable`; callers bypass it and read the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol


class Cache(Protocol):
    def get(self, key: str) -> bytes | None:
        """The value stored under ``key``, or None if it is absent or has expired."""
        ...

    def get_many(self, keys: Iterable[str]) -> Mapping[str, bytes]:
        """The values found among ``keys`` (absent and expired ones are left out)."""
        ...

    def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        """Store ``value`` under ``key`` for ``ttl_seconds`` (> 0), replacing any value."""
        ...

    def add(self, key: str, value: bytes, ttl_seconds: float) -> bool:
        """Store ``value`` only if ``key`` holds nothing; True if it was stored. One caller
        wins among concurrent ones: the building block of a per-key loader lock."""
        ...

    def delete(self, *keys: str) -> int:
        """Remove the keys; how many were there."""
        ...

    def delete_prefix(self, prefix: str) -> int:
        """Remove every key starting with ``prefix``; how many were there."""
        ...

    def ping(self) -> None:
        """Return if the cache answers; Unavailable if not."""
        ...
