"""Read models of the catalog: what a listing shows of a product, built by one query per
page in each store instead of from whole Product aggregates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from commerce_core.money import Money

# a listing counts its matches exactly up to this many, and estimates past it
COUNT_BOUND = 1000


@attrs.frozen
class ProductSummary:
    """One entry of a product listing: ``price`` is the lowest active variant price (in the
    product's currency), ``image_url`` the first image, ``in_stock`` whether some active
    variant has available stock."""

    product_id: int
    name: str
    price: Money
    rating: Decimal | None
    review_count: int
    image_url: str | None
    seller_id: int
    category_id: int
    in_stock: bool
    created_at: datetime | None


@attrs.frozen
class After:
    """A keyset position in a listing: the sort value (lowest price, or rating with unrated
    as -1; None when sorting by newest) and id of the last entry shown."""

    value: Decimal | None
    id: int


@attrs.frozen
class SummaryPage:
    """What a store answers for one page of summaries. ``total_exact`` is False when the
    matches passed the count bound and ``total_count`` is an estimate (at least bound + 1);
    ``next`` is where the following page starts, None when none follows."""

    items: Sequence[ProductSummary]
    total_count: int
    total_exact: bool
    next: After | None
