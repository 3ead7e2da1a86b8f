"""Page requests and pages of results."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import attrs

from commerce_core.validation import whole_number

T = TypeVar("T")
U = TypeVar("U")

MAX_LIMIT = 100
MAX_PAGE = 10_000  # deeper than any person pages; keeps OFFSET within every store's range


@attrs.frozen
class PageRequest:
    page: int = 1
    limit: int = 20

    def __attrs_post_init__(self) -> None:
        whole_number("page", self.page, 1, MAX_PAGE)
        whole_number("limit", self.limit, 1, MAX_LIMIT)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


@attrs.frozen
class Page(Generic[T]):
    """One page of results. ``total_exact`` is False when ``total_count`` is an estimate
    (listings count exactly only up to a bound); ``next_cursor``, where a listing offers
    one, opens the next page by keyset instead of by offset (None: no page follows)."""

    items: Sequence[T]
    total_count: int
    page: int
    limit: int
    total_exact: bool = True
    next_cursor: str | None = None

    def map(self, fn: Callable[[T], U]) -> Page[U]:
        return Page([fn(i) for i in self.items], self.total_count, self.page, self.limit,
                    self.total_exact, self.next_cursor)
