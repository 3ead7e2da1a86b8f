"""In-memory seller profiles, with their unique store names."""

from __future__ import annotations

from collections.abc import Iterable

from commerce_adapters.memory.state import Journal, MemoryState, fresh
from commerce_core.errors import Conflict, NotFound
from commerce_core.sellers.model import SellerProfile


class MemorySellers:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[int, SellerProfile] = state.table("sellers")
        self._names: dict[str, int] = state.table("store_names")
        self._j = journal

    def _claim_name(self, profile: SellerProfile) -> None:
        key = profile.store_name.casefold()
        owner = self._names.get(key)
        if owner is not None and owner != profile.user_id:
            raise Conflict(f"the store name {profile.store_name!r} is taken",
                           {"store_name": "taken"})
        self._j.put(self._names, key, profile.user_id)

    def add(self, profile: SellerProfile) -> None:
        if profile.user_id in self._rows:
            raise Conflict(f"seller {profile.user_id} already has a store",
                           {"seller_id": profile.user_id})
        self._claim_name(profile)
        self._j.put(self._rows, profile.user_id, profile)

    def find(self, seller_id: int) -> SellerProfile | None:
        row = self._rows.get(seller_id)
        return None if row is None else fresh(row)

    def find_many(self, seller_ids: Iterable[int]) -> dict[int, SellerProfile]:
        return {i: fresh(self._rows[i]) for i in seller_ids if i in self._rows}

    def update(self, profile: SellerProfile) -> None:
        old = self._rows.get(profile.user_id)
        if old is None:
            raise NotFound(f"seller {profile.user_id} not found",
                           {"seller_id": profile.user_id})
        if old.store_name.casefold() != profile.store_name.casefold():
            self._claim_name(profile)
            self._j.delete(self._names, old.store_name.casefold())
        self._j.put(self._rows, profile.user_id, profile)
