"""In-memory adapters: every port, with real rollback and thread safety.

Not a toy: they pass the same contract suites as the SQL adapters, so the whole product
runs on them (tests, demos, a single-process shop).
"""

from commerce_adapters.memory.bus import InProcessEventBus
from commerce_adapters.memory.carts import MemoryCartStore
from commerce_adapters.memory.state import MemoryState
from commerce_adapters.memory.uow import MemoryUnitOfWork

__all__ = ["InProcessEventBus", "MemoryCartStore", "MemoryState", "MemoryUnitOfWork"]
