"""Identifiers: 64-bit time-ordered ids and human order numbers."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Protocol

from commerce_core.errors import Unavailable

# 2024-01-01T00:00:00Z in ms: ids stay positive BIGINTs for ~69 years past it.
_EPOCH_MS = 1_704_067_200_000
_NODE_BITS = 10
_SEQ_BITS = 12
_MAX_NODE = (1 << _NODE_BITS) - 1
NODE_IDS = _MAX_NODE + 1  # how many processes can mint at once
_MAX_SEQ = (1 << _SEQ_BITS) - 1


class IdGenerator(Protocol):
    def next_id(self) -> int:
        """A new unique positive 63-bit id, larger than every id this generator gave before."""
        ...


class SnowflakeIds:
    """41 bits of milliseconds, 10 bits of node, 12 bits of sequence (Twitter's layout).

    Ids from different nodes never collide, so shards can mint keys without talking; within a
    node they grow strictly, even if the wall clock steps back. Without a ``node`` one is
    drawn at random, which suits a single process; processes sharing a database need
    distinct nodes (``connect()`` leases one from the database). ``holds_node`` is asked
    before every id: while it says False (a lease that lapsed) ids are refused, not risked.
    """

    def __init__(self, node: int | None = None,
                 now_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000, *,
                 holds_node: Callable[[], bool] | None = None) -> None:
        if node is None:
            node = int.from_bytes(os.urandom(2), "big") & _MAX_NODE
        if not 0 <= node <= _MAX_NODE:
            raise ValueError(f"node must be within 0..{_MAX_NODE}")
        self._node = node
        self._now_ms = now_ms
        self._holds_node = holds_node
        self._lock = threading.Lock()
        self._last_ms = -1
        self._seq = 0

    @property
    def node(self) -> int:
        return self._node

    def next_id(self) -> int:
        if self._holds_node is not None and not self._holds_node():
            raise Unavailable(f"node id {self._node} is no longer leased to this process "
                              "(its renewal failed): refusing to mint ids another process "
                              "may mint too", {"node": self._node})
        with self._lock:
            ms = max(self._now_ms() - _EPOCH_MS, self._last_ms)
            if ms == self._last_ms:
                self._seq = (self._seq + 1) & _MAX_SEQ
                if self._seq == 0:  # 4096 ids in one ms: borrow the next millisecond
                    ms += 1
            else:
                self._seq = 0
            self._last_ms = ms
            return (ms << (_NODE_BITS + _SEQ_BITS)) | (self._node << _SEQ_BITS) | self._seq


def timestamp_of(snowflake_id: int) -> float:
    """Unix time (seconds) at which a :class:`SnowflakeIds` id was minted."""
    return ((snowflake_id >> (_NODE_BITS + _SEQ_BITS)) + _EPOCH_MS) / 1000


def node_of(snowflake_id: int) -> int:
    """The node that minted a :class:`SnowflakeIds` id."""
    return (snowflake_id >> _SEQ_BITS) & _MAX_NODE


def format_order_number(year: int, sequence: int) -> str:
    """``ORD-2026-000042``: six digits at least, more once a year passes a million orders."""
    if sequence < 1:
        raise ValueError("order sequence starts at 1")
    return f"ORD-{year:04d}-{sequence:06d}"
