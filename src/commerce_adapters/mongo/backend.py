"""``mongodb://`` and ``mongodb+srv://``: the catalog part (products, categories, reviews,
user activity) on MongoDB, beside the transactional store that keeps stock, prices the
checkout relies on once ordered, orders and payments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from commerce_adapters.mongo.activity import MongoActivityStore
from commerce_adapters.mongo.session import MongoCatalogSession, StockLookup, repair_counts
from commerce_adapters.mongo.store import MongoStore
from commerce_core.clock import Clock


@attrs.frozen
class MongoCatalog:
    """What the catalog part gives the shop: its sessions, the activity store, and the
    repair of counters a crash left behind."""

    store: MongoStore
    stocked: StockLookup
    clock: Clock
    activity: MongoActivityStore

    def catalog(self, **options: Any) -> MongoCatalogSession:
        # ``within`` (a unit of work of the transactional store) cannot be joined here
        return MongoCatalogSession(self.store, self.stocked, self.clock.now,
                                   read_only=bool(options.get("read_only")),
                                   replica=bool(options.get("replica")))

    def repair(self, before: datetime) -> int:
        return repair_counts(self.store, before)

    def close(self) -> None:
        self.store.close()  # the client's pools and its monitor threads


def open_catalog(url: str, clock: Clock, stocked: StockLookup, **_: Any) -> MongoCatalog:
    store = MongoStore(url)
    return MongoCatalog(store, stocked, clock, MongoActivityStore(store))
