"""Seller profile storage."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from commerce_core.sellers.model import SellerProfile


class SellerRepository(Protocol):
    def add(self, profile: SellerProfile) -> None:
        """Store a new profile; Conflict if the seller has one or the store name is taken."""
        ...

    def find(self, seller_id: int) -> SellerProfile | None:
        """The seller's profile, or None."""
        ...

    def find_many(self, seller_ids: Iterable[int]) -> dict[int, SellerProfile]:
        """The profiles of those of these sellers that have one, by seller id, in one read."""
        ...

    def update(self, profile: SellerProfile) -> None:
        """Replace a profile; NotFound if absent, Conflict if the store name is taken."""
        ...
