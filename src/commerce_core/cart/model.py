"""The cart. Each line keeps the price seen when it was added, re-checked at checkout."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from commerce_core.errors import NotFound, ValidationError
from commerce_core.money import Money
from commerce_core.validation import whole_number

CART_TTL = timedelta(days=30)
MAX_LINE_QUANTITY = 100
MAX_LINES = 200


def check_line_quantity(quantity: int) -> None:
    whole_number("quantity", quantity, 1, MAX_LINE_QUANTITY)


@attrs.define
class CartLine:
    id: int
    product_id: int
    variant_id: int
    sku: str
    product_name: str
    quantity: int
    unit_price: Money
    seller_id: int
    category_id: int
    weight_grams: int = 0
    selected_attributes: dict[str, str] = attrs.field(factory=dict)


@attrs.define
class Cart:
    id: str
    user_id: int
    created_at: datetime
    updated_at: datetime
    lines: list[CartLine] = attrs.field(factory=list)
    coupon_code: str | None = None
    version: int = 0  # optimistic concurrency: the store refuses a save from a stale read

    @classmethod
    def new(cls, user_id: int, now: datetime) -> Cart:
        return cls(f"cart_{user_id}", user_id, now, now)

    @property
    def currency(self) -> str | None:
        return self.lines[0].unit_price.currency if self.lines else None

    def expires_at(self) -> datetime:
        return self.updated_at + CART_TTL

    def line(self, line_id: int) -> CartLine:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise NotFound(f"cart item {line_id} is not in the cart", {"cart_item_id": line_id})

    def line_for_variant(self, variant_id: int) -> CartLine | None:
        return next((line for line in self.lines if line.variant_id == variant_id), None)

    def add(self, line: CartLine, now: datetime) -> CartLine:
        """Add a line, or raise the quantity of the line already holding that variant."""
        if self.currency is not None and line.unit_price.currency != self.currency:
            raise ValidationError(
                f"the cart is in {self.currency}; this product is priced in "
                f"{line.unit_price.currency}", {"currency": "mixed currencies"})
        existing = self.line_for_variant(line.variant_id)
        if existing is not None:
            check_line_quantity(existing.quantity + line.quantity)
            existing.quantity += line.quantity
            line = existing
        else:
            check_line_quantity(line.quantity)
            if len(self.lines) >= MAX_LINES:
                raise ValidationError(f"a cart holds at most {MAX_LINES} lines",
                                      {"items": "too many"})
            self.lines.append(line)
        self.updated_at = now
        return line

    def set_quantity(self, line_id: int, quantity: int, now: datetime) -> CartLine:
        check_line_quantity(quantity)
        line = self.line(line_id)
        line.quantity = quantity
        self.updated_at = now
        return line

    def remove(self, line_id: int, now: datetime) -> None:
        self.line(line_id)
        self.lines = [line for line in self.lines if line.id != line_id]
        if not self.lines:
            self.coupon_code = None
        self.updated_at = now

    def remove_variants(self, variant_ids: set[int], now: datetime) -> None:
        self.lines = [line for line in self.lines if line.variant_id not in variant_ids]
        if not self.lines:
            self.coupon_code = None
        self.updated_at = now
