"""Revoked tokens in this process (the sessions part's memory store)."""

from __future__ import annotations

import threading
from datetime import datetime


class MemoryRevocations:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, datetime] = {}

    def revoke(self, token_id: str, expires_at: datetime) -> None:
        with self._lock:
            self._rows.setdefault(token_id, expires_at)  # the first stands, as in SQL

    def is_revoked(self, token_id: str) -> bool:
        with self._lock:
            return token_id in self._rows

    def purge(self, expired_before: datetime) -> int:
        with self._lock:
            old = [t for t, exp in self._rows.items() if exp < expired_before]
            for token_id in old:
                del self._rows[token_id]
            return len(old)
