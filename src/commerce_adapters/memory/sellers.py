"""In-memory seller profiles, wishlists and fraud checks."""

from __future__ import annotations

from commerce_adapters.memory.state import Journal, MemoryState, fresh
from commerce_core.errors import Conflict, NotFound
from commerce_core.fraud.model import FraudCheck, FraudStatus
from commerce_core.pagination import Page, PageRequest
from commerce_core.sellers.model import SellerProfile
from commerce_core.wishlist.model import WishlistItem


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

    def update(self, profile: SellerProfile) -> None:
        old = self._rows.get(profile.user_id)
        if old is None:
            raise NotFound(f"seller {profile.user_id} not found",
                           {"seller_id": profile.user_id})
        if old.store_name.casefold() != profile.store_name.casefold():
            self._claim_name(profile)
            self._j.delete(self._names, old.store_name.casefold())
        self._j.put(self._rows, profile.user_id, profile)


class MemoryWishlists:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[int, dict[int, WishlistItem]] = state.table("wishlists")
        self._j = journal

    def add(self, item: WishlistItem) -> bool:
        mine = self._rows.get(item.user_id, {})
        if item.product_id in mine:
            return False
        self._j.put(self._rows, item.user_id, {**mine, item.product_id: item})
        return True

    def remove(self, user_id: int, product_id: int) -> bool:
        mine = self._rows.get(user_id, {})
        if product_id not in mine:
            return False
        self._j.put(self._rows, user_id, {k: v for k, v in mine.items() if k != product_id})
        return True

    def count(self, user_id: int) -> int:
        return len(self._rows.get(user_id, {}))

    def list(self, user_id: int, page: PageRequest) -> Page[WishlistItem]:
        hits = sorted(self._rows.get(user_id, {}).values(),
                      key=lambda i: (i.added_at, i.product_id), reverse=True)
        return Page(hits[page.offset:page.offset + page.limit], len(hits), page.page,
                    page.limit)


class MemoryFraud:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[int, FraudCheck] = state.table("fraud_checks")
        self._j = journal

    def add(self, check: FraudCheck) -> None:
        if check.order_id in self._rows:
            raise Conflict(f"order {check.order_id} was screened already")
        self._j.put(self._rows, check.order_id, check)

    def find(self, order_id: int) -> FraudCheck | None:
        row = self._rows.get(order_id)
        return None if row is None else fresh(row)

    def update(self, check: FraudCheck) -> None:
        if check.order_id not in self._rows:
            raise NotFound(f"order {check.order_id} has no fraud check")
        self._j.put(self._rows, check.order_id, check)

    def queue(self, status: FraudStatus, page: PageRequest) -> Page[FraudCheck]:
        hits = sorted((c for c in self._rows.values() if c.status is status),
                      key=lambda c: (-c.score, c.created_at, c.order_id))
        chunk = hits[page.offset:page.offset + page.limit]
        return Page([fresh(c) for c in chunk], len(hits), page.page, page.limit)
