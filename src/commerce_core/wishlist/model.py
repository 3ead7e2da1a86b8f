"""A wishlist entry."""

from __future__ import annotations

from datetime import datetime

import attrs

MAX_ITEMS = 500


@attrs.frozen
class WishlistItem:
    user_id: int
    product_id: int
    added_at: datetime
