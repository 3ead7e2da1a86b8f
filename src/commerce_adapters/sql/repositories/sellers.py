"""Seller profiles, with their unique store names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import JsonRow, SqlRepository
from commerce_core.errors import Conflict, NotFound
from commerce_core.sellers.model import SellerProfile

s = t.sellers
_BY_IDS = sa.select(s).where(s.c.user_id.in_(sa.bindparam("ids", expanding=True)))


def _seller_row(p: SellerProfile) -> dict[str, Any]:
    return {"user_id": p.user_id, "store_name": p.store_name,
            "store_key": p.store_name.casefold(), "description": p.description,
            "rating_total": p.rating_total, "rating_count": p.rating_count,
            "created_at": p.created_at, "updated_at": p.updated_at}


def _profile(r: Any) -> SellerProfile:
    return SellerProfile(r.user_id, r.store_name, r.created_at, r.updated_at, r.description,
                         r.rating_total, r.rating_count)


class SqlSellers(SqlRepository):
    def _check_name(self, profile: SellerProfile) -> None:
        owner = self.execute(sa.select(s.c.user_id).where(
            s.c.store_key == profile.store_name.casefold(),
            s.c.user_id != profile.user_id)).first()
        if owner is not None:
            raise Conflict(f"the store name {profile.store_name!r} is taken",
                           {"store_name": "taken"})

    def add(self, profile: SellerProfile) -> None:
        if self.execute(sa.select(s.c.user_id).where(
                s.c.user_id == profile.user_id)).first() is not None:
            raise Conflict(f"seller {profile.user_id} already has a store",
                           {"seller_id": profile.user_id})
        self._check_name(profile)
        self.execute(s.insert(), _seller_row(profile))

    def find(self, seller_id: int) -> SellerProfile | None:
        ahead = self._uow.ahead
        if ahead.seller_id == seller_id:  # read with the seller's product (a product page)
            rows = [JsonRow(s, values, self.c.dialect) for values in ahead.seller_rows]
            r: Any = rows[0] if rows else None
        else:
            r = self.by_key(s, "user_id", seller_id)  # a statement built once, locked to write
        return None if r is None else _profile(r)

    def find_many(self, seller_ids: Iterable[int]) -> dict[int, SellerProfile]:
        """One statement, never locked: for pages that name many sellers."""
        ids = sorted(set(seller_ids))
        if not ids:
            return {}
        return {r.user_id: _profile(r) for r in self.execute(_BY_IDS, {"ids": ids})}

    def update(self, profile: SellerProfile) -> None:
        self._check_name(profile)
        if not self.execute(s.update().where(s.c.user_id == profile.user_id)
                            .values(_seller_row(profile))).rowcount:
            raise NotFound(f"seller {profile.user_id} not found",
                           {"seller_id": profile.user_id})
