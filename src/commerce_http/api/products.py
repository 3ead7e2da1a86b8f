"""The product detail as the API sends it: the seed's shape plus the variants. Shared by
every area that answers with a product (browsing shows it, the seller's writes return it)."""

from __future__ import annotations

from commerce_core.catalog.service import ProductDetail
from commerce_http.contract.wire import Amount, Id, Model, money


class SellerRef(Model):
    seller_id: Id


class Availability(Model):
    in_stock: bool
    quantity: int


class VariantOut(Model):
    variant_id: Id
    sku: str
    price: Amount
    options: dict[str, str]
    weight_grams: int
    available: int


class ProductOut(Model):
    product_id: Id
    name: str
    description: str
    price: Amount  # the lowest of the active variants' prices
    currency: str
    images: list[str]
    # the product's own attributes and its variants' options, each as its list of values
    attributes: dict[str, list[str]]
    tags: list[str]
    category_id: Id
    rating: float | None  # 1-5, not money: a JSON number
    reviews_count: int
    seller: SellerRef
    is_active: bool
    availability: Availability
    variants: list[VariantOut]  # the active ones


def variant_outs(detail: ProductDetail) -> list[VariantOut]:
    stock = detail.stock
    return [VariantOut(variant_id=Id(v.id), sku=v.sku, price=money(v.price),
                       options=dict(v.options), weight_grams=v.weight_grams,
                       available=stock[v.id].available if v.id in stock else 0)
            for v in detail.product.active_variants]


def product_out(detail: ProductDetail) -> ProductOut:
    p = detail.product
    attributes: dict[str, list[str]] = {k: [v] for k, v in p.attributes.items()}
    attributes.update(p.option_values())
    available = detail.available
    return ProductOut(
        product_id=Id(p.id), name=p.name, description=p.description,
        price=money(p.min_price), currency=p.currency, images=list(p.images),
        attributes=attributes, tags=list(p.tags), category_id=Id(p.category_id),
        rating=None if p.rating is None else float(p.rating), reviews_count=p.review_count,
        seller=SellerRef(seller_id=Id(p.seller_id)), is_active=p.is_active,
        availability=Availability(in_stock=available > 0, quantity=available),
        variants=variant_outs(detail))
