"""Activity storage: high-volume and not part of any transaction, like the cart store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import attrs

MAX_ENTRIES = 50


@attrs.frozen
class Viewed:
    product_id: int
    at: datetime


@attrs.frozen
class Searched:
    query: str
    at: datetime


class ActivityStore(Protocol):
    def record_view(self, user_id: int, product_id: int, at: datetime) -> None:
        """Put the product first in the user's recent views (once; at most MAX_ENTRIES)."""
        ...

    def record_search(self, user_id: int, query: str, at: datetime) -> None:
        """Put the query first in the user's recent searches (once; at most MAX_ENTRIES)."""
        ...

    def recent_views(self, user_id: int, limit: int) -> Sequence[Viewed]:
        """Newest first."""
        ...

    def recent_searches(self, user_id: int, limit: int) -> Sequence[Searched]:
        """Newest first."""
        ...

    def forget(self, user_id: int) -> None:
        """Erase the user's activity."""
        ...
