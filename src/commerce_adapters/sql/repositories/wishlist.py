"""Wishlists."""

from __future__ import annotations

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository
from commerce_core.pagination import Page, PageRequest
from commerce_core.wishlist.model import WishlistItem


class SqlWishlists(SqlRepository):
    def add(self, item: WishlistItem) -> bool:
        return self.insert_ignore(t.wishlist_items, {"user_id": item.user_id,
                                                     "product_id": item.product_id,
                                                     "added_at": item.added_at})

    def remove(self, user_id: int, product_id: int) -> bool:
        w = t.wishlist_items
        return bool(self.execute(w.delete().where(w.c.user_id == user_id,
                                                  w.c.product_id == product_id)).rowcount)

    def count(self, user_id: int) -> int:
        w = t.wishlist_items
        return int(self.execute(sa.select(sa.func.count()).where(
            w.c.user_id == user_id)).scalar_one())

    def list(self, user_id: int, page: PageRequest) -> Page[WishlistItem]:
        w = t.wishlist_items
        stmt = sa.select(w).where(w.c.user_id == user_id).order_by(
            w.c.added_at.desc(), w.c.product_id.desc())
        return self.page(stmt, page, lambda rows: [
            WishlistItem(r.user_id, r.product_id, r.added_at) for r in rows])
