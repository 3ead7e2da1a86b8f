"""Idempotency keys: the same key and request give the first result; another request, Conflict."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

import attrs

from commerce_core.errors import Conflict, ValidationError

MAX_KEY_LENGTH = 255


@attrs.frozen
class IdempotencyRecord:
    scope: str                     # e.g. "checkout:42" (use case and user)
    key: str
    request_hash: str
    result: Mapping[str, Any]      # enough to rebuild the first answer (ids, not whole bodies)
    created_at: datetime


class IdempotencyStore(Protocol):
    def get(self, scope: str, key: str) -> IdempotencyRecord | None:
        """The record stored under (scope, key), if any."""
        ...

    def add(self, record: IdempotencyRecord) -> None:
        """Store a record; Conflict if (scope, key) exists, also when a concurrent transaction
        stored it first (detected at the latest when this one commits)."""
        ...

    def purge(self, older_than: datetime) -> int:
        """Delete records created before ``older_than``; how many went."""
        ...


def request_hash(payload: Mapping[str, Any]) -> str:
    """A stable fingerprint of a request's meaningful fields."""
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def check_key(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError(f"Idempotency-Key must be 1..{MAX_KEY_LENGTH} characters",
                              {"idempotency_key": "invalid"})
    return key


def replay(record: IdempotencyRecord, fingerprint: str) -> Mapping[str, Any]:
    """The first result, or Conflict when the key was used for a different request."""
    if record.request_hash != fingerprint:
        raise Conflict("this Idempotency-Key was already used for a different request",
                       {"idempotency_key": record.key})
    return record.result
