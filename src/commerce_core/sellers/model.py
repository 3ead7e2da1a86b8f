"""A seller's public store profile."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import attrs

from commerce_core.errors import ValidationError
from commerce_core.reviews.model import average
from commerce_core.validation import text


@attrs.define
class SellerProfile:
    user_id: int
    store_name: str
    created_at: datetime
    updated_at: datetime
    description: str = ""
    rating_total: int = 0   # sum of stars over visible reviews of the seller's products
    rating_count: int = 0

    def __attrs_post_init__(self) -> None:
        self.store_name = (self.store_name or "").strip()
        if not self.store_name or len(self.store_name) > 120:
            raise ValidationError("store_name must be 1 to 120 characters",
                                  {"store_name": "required"})
        text("store_name", self.store_name, 120)
        text("description", self.description, 5000, multiline=True)

    @property
    def rating(self) -> Decimal | None:
        return average(self.rating_total, self.rating_count)

    def add_ratings(self, total: int, count: int) -> None:
        self.rating_total += total
        self.rating_count += count
