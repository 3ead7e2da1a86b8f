"""Catalog entities. Price and stock live on the variant; every product has at least one."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import attrs

from commerce_core.errors import ValidationError
from commerce_core.money import Money
from commerce_core.validation import text, text_map, texts

MAX_NAME = 255
MAX_DESCRIPTION = 20_000
MAX_PRICE = Decimal(10) ** 11  # times a line's quantity limit, still within MAX_AMOUNT
MAX_LIST = 50            # images, tags, attributes of one product
MAX_ENTRY = 500          # one image URL, tag, attribute name or value


def _non_blank(field: str, value: str, limit: int = MAX_NAME) -> str:
    return text(field, (value or "").strip(), limit, required=True)


@attrs.define
class Category:
    id: int
    name: str
    parent_id: int | None = None
    description: str = ""
    created_at: datetime | None = None

    def __attrs_post_init__(self) -> None:
        self.name = _non_blank("name", self.name, 100)
        self.description = text("description", self.description, 5000, multiline=True)


@attrs.define
class Variant:
    """A purchasable SKU of a product: its own price, options (color=Black) and weight."""

    id: int
    product_id: int
    sku: str
    price: Money
    options: dict[str, str] = attrs.field(factory=dict)
    weight_grams: int = 0
    is_active: bool = True

    def __attrs_post_init__(self) -> None:
        self.sku = _non_blank("sku", self.sku, 64)
        if self.price.is_negative or self.price.is_zero:
            raise ValidationError("price must be positive", {"price": "must be > 0"})
        if self.price.amount > MAX_PRICE:
            raise ValidationError(f"price is above {MAX_PRICE:,}",
                                  {"price": f"at most {MAX_PRICE:,}"})
        self.options = text_map("options", self.options, 100, MAX_LIST)
        if self.weight_grams < 0:
            raise ValidationError("weight must not be negative", {"weight_grams": "must be >= 0"})

    def matches(self, selected: dict[str, str]) -> bool:
        return self.options == selected


class ProductSort(enum.StrEnum):
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    RATING = "rating"
    NEWEST = "newest"


@attrs.define
class Product:
    id: int
    seller_id: int
    name: str
    category_id: int
    currency: str
    variants: list[Variant]
    description: str = ""
    attributes: dict[str, str] = attrs.field(factory=dict)
    images: list[str] = attrs.field(factory=list)
    tags: list[str] = attrs.field(factory=list)
    is_active: bool = True
    rating: Decimal | None = None
    review_count: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def __attrs_post_init__(self) -> None:
        self.name = _non_blank("name", self.name)
        # the same limits on create and on every update (attrs.evolve runs this again)
        self.description = text("description", self.description, MAX_DESCRIPTION,
                                multiline=True)
        self.attributes = text_map("attributes", self.attributes, MAX_ENTRY, MAX_LIST)
        self.images = texts("images", self.images, MAX_ENTRY, MAX_LIST)
        self.tags = texts("tags", self.tags, MAX_ENTRY, MAX_LIST)
        if not self.variants:
            raise ValidationError("a product needs at least one variant", {"variants": "empty"})
        for v in self.variants:
            if v.price.currency != self.currency:
                raise ValidationError("every variant must be priced in the product's currency",
                                      {"variants": f"{v.sku} is in {v.price.currency}"})
        skus = [v.sku for v in self.variants]
        if len(set(skus)) != len(skus):
            raise ValidationError("two variants have the same SKU",
                                  {"variants": "duplicate SKU"})
        option_sets = [tuple(sorted(v.options.items())) for v in self.variants]
        if len(set(option_sets)) != len(option_sets):
            raise ValidationError("two variants have the same options",
                                  {"variants": "duplicate options"})

    @property
    def active_variants(self) -> list[Variant]:
        return [v for v in self.variants if v.is_active]

    @property
    def min_price(self) -> Money:
        prices = [v.price for v in (self.active_variants or self.variants)]
        return min(prices, key=lambda m: m.amount)

    def variant(self, variant_id: int) -> Variant:
        for v in self.variants:
            if v.id == variant_id:
                return v
        raise ValidationError(f"variant {variant_id} is not part of product {self.id}",
                              {"variant_id": "unknown"})

    def option_values(self) -> dict[str, list[str]]:
        """Every option name with its values in first-seen order, as the detail API shows them."""
        result: dict[str, list[str]] = {}
        for v in self.active_variants:
            for name, value in v.options.items():
                values = result.setdefault(name, [])
                if value not in values:
                    values.append(value)
        return result

    def pick_variant(self, selected: dict[str, str] | None) -> Variant:
        """The active variant whose options equal ``selected`` (the sole one if none given)."""
        selected = dict(selected or {})
        active = self.active_variants
        if not selected and len(active) == 1:
            return active[0]
        for v in active:
            if v.matches(selected):
                return v
        raise ValidationError(
            "selected_attributes do not match a variant of this product",
            {"selected_attributes": {"given": selected, "options": self.option_values()}},
        )
