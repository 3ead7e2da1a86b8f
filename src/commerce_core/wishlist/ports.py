"""Wishlist storage."""

from __future__ import annotations

from typing import Protocol

from commerce_core.pagination import Page, PageRequest
from commerce_core.wishlist.model import WishlistItem


class WishlistRepository(Protocol):
    def add(self, item: WishlistItem) -> bool:
        """Keep the product on the user's list; False if it was there already."""
        ...

    def remove(self, user_id: int, product_id: int) -> bool:
        """Take it off; False if it was not there."""
        ...

    def count(self, user_id: int) -> int:
        ...

    def list(self, user_id: int, page: PageRequest) -> Page[WishlistItem]:
        """The user's entries, most recently added first."""
        ...
