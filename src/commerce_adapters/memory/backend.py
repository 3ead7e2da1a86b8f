"""``memory://``: every table in this process."""

from __future__ import annotations

from typing import Any

from commerce_adapters.bootstrap import Storage
from commerce_adapters.memory.activity import MemoryActivityStore
from commerce_adapters.memory.carts import MemoryCartStore
from commerce_adapters.memory.revocations import MemoryRevocations
from commerce_adapters.memory.state import MemoryState
from commerce_adapters.memory.uow import MemoryCatalogSession, MemoryUnitOfWork
from commerce_core.clock import Clock
from commerce_core.ids import IdGenerator


def open_memory(url: str, clock: Clock, ids: IdGenerator, **_: Any) -> Storage:
    state = MemoryState(ids)

    def unit_of_work(**options: Any) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(state, clock, read_only=bool(options.get("read_only")))

    def catalog(**options: Any) -> MemoryCatalogSession:
        return MemoryCatalogSession(state, read_only=bool(options.get("read_only")))

    return Storage(unit_of_work, catalog, MemoryActivityStore(), MemoryCartStore(clock),
                   MemoryRevocations())
