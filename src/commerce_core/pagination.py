"""Page requests and pages of results."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import attrs

from commerce_core.errors import ValidationError

T = TypeVar("T")
U = TypeVar("U")

MAX_LIMIT = 100


@attrs.frozen
class PageRequest:
    page: int = 1
    limit: int = 20

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.page, int) or isinstance(self.page, bool) or self.page < 1:
            raise ValidationError("page must be a whole number >= 1", {"page": "must be >= 1"})
        if (not isinstance(self.limit, int) or isinstance(self.limit, bool)
                or not 1 <= self.limit <= MAX_LIMIT):
            raise ValidationError(f"limit must be within 1..{MAX_LIMIT}",
                                  {"limit": f"must be within 1..{MAX_LIMIT}"})

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


@attrs.frozen
class Page(Generic[T]):
    items: Sequence[T]
    total_count: int
    page: int
    limit: int

    def map(self, fn: Callable[[T], U]) -> Page[U]:
        return Page([fn(i) for i in self.items], self.total_count, self.page, self.limit)
