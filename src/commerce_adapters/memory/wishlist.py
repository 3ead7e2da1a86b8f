"""In-memory wishlists."""

from __future__ import annotations

from commerce_adapters.memory.state import Journal, MemoryState
from commerce_core.pagination import Page, PageRequest
from commerce_core.wishlist.model import WishlistItem


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
