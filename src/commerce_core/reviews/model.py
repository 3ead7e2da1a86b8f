"""Reviews and the rating aggregates shown beside them."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import attrs

from commerce_core.errors import ValidationError
from commerce_core.validation import text

MAX_IMAGES = 10


class ReviewSort(enum.StrEnum):
    HELPFUL = "helpful"
    RECENT = "recent"


def _check_text(field: str, value: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(f"{field} must not be blank", {field: "required"})
    return text(field, value, limit, multiline=True)


def check_rating(rating: int) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError("rating must be a whole number from 1 to 5", {"rating": "1-5"})
    return rating


def check_images(images: list[str]) -> list[str]:
    if len(images) > MAX_IMAGES:
        raise ValidationError(f"at most {MAX_IMAGES} images", {"images": "too many"})
    for url in images:
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise ValidationError("images must be http(s) URLs", {"images": str(url)[:100]})
    return list(images)


@attrs.define
class Review:
    id: int
    product_id: int
    seller_id: int
    user_id: int
    rating: int
    title: str
    comment: str
    created_at: datetime
    updated_at: datetime
    images: list[str] = attrs.field(factory=list)
    author_name: str = ""
    verified_purchase: bool = False
    helpful_count: int = 0
    unhelpful_count: int = 0
    is_hidden: bool = False
    hidden_reason: str = ""
    response: str = ""
    responded_at: datetime | None = None

    def __attrs_post_init__(self) -> None:
        check_rating(self.rating)
        self.title = _check_text("title", self.title, 200, required=True)
        self.comment = _check_text("comment", self.comment, 5000)
        self.images = check_images(self.images)

    def respond(self, text: str, now: datetime) -> None:
        self.response = _check_text("response", text, 2000, required=True)
        self.responded_at = now


@attrs.frozen
class RatingStats:
    """Counts of visible reviews by star; exact, so aggregates can be moved by deltas."""

    distribution: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)  # 1 star .. 5 stars

    @classmethod
    def of(cls, ratings: list[int]) -> RatingStats:
        counts = [0] * 5
        for r in ratings:
            counts[r - 1] += 1
        return cls((counts[0], counts[1], counts[2], counts[3], counts[4]))

    @property
    def count(self) -> int:
        return sum(self.distribution)

    @property
    def total(self) -> int:
        return sum(stars * n for stars, n in enumerate(self.distribution, start=1))

    @property
    def average(self) -> Decimal | None:
        return average(self.total, self.count)


def average(total: int, count: int) -> Decimal | None:
    """Mean rating to two places (half up), None without reviews."""
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.01"), ROUND_HALF_UP)
