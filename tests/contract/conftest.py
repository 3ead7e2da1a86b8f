"""Backends every contract suite runs against. A new adapter adds one entry to BACKENDS
(and skips with a reason only when its server URL is unset and no Docker engine runs)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import attrs
import pytest

from commerce_adapters.bootstrap import Storage
from commerce_adapters.memory.backend import open_memory
from commerce_core.clock import ManualClock
from commerce_core.ids import SnowflakeIds


@attrs.define
class Backend:
    name: str
    storage: Storage
    clock: ManualClock
    ids: SnowflakeIds


def _memory(clock: ManualClock, ids: SnowflakeIds) -> Iterator[Storage]:
    yield open_memory("memory://", clock, ids)


BACKENDS: dict[str, Callable[[ManualClock, SnowflakeIds], Iterator[Storage]]] = {
    "memory": _memory,
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    clock, ids = ManualClock(), SnowflakeIds()
    gen = BACKENDS[request.param](clock, ids)
    yield Backend(request.param, next(gen), clock, ids)
    gen.close()
