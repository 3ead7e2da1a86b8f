"""The product detail as the API sends it: the seed's shape plus the variants, what the
seller's product writes answer with.

Field for field the ``ProductOut`` of the browsing area (``api/catalog.py``, on its own
branch when this was written): once both are merged, the seller area imports
``catalog.ProductOut`` and ``catalog.product_out(shop, detail)`` and this module goes."""

from __future__ import annotations

from commerce_core.catalog.service import ProductDetail
from commerce_core.errors import NotFound
from commerce_core.facade import Commerce
from commerce_http.contract.wire import Amount, Id, Model, money


class SellerOut(Model):
    """``name`` is the store's (null while the seller has opened none), ``rating`` the
    average over reviews of all the seller's products (null without any)."""

    seller_id: Id
    name: str | None
    rating: float | None


class AvailabilityOut(Model):
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
    is_active: bool
    seller: SellerOut
    availability: AvailabilityOut
    variants: list[VariantOut]  # the active ones


def variant_outs(detail: ProductDetail) -> list[VariantOut]:
    stock = detail.stock
    return [VariantOut(variant_id=Id(v.id), sku=v.sku, price=money(v.price),
                       options=dict(v.options), weight_grams=v.weight_grams,
                       available=stock[v.id].available if v.id in stock else 0)
            for v in detail.product.active_variants]


def seller_out(shop: Commerce, seller_id: int) -> SellerOut:
    try:
        profile = shop.sellers.profile(seller_id)
    except NotFound:  # no store opened yet
        return SellerOut(seller_id=Id(seller_id), name=None, rating=None)
    return SellerOut(seller_id=Id(seller_id), name=profile.store_name,
                     rating=None if profile.rating is None else float(profile.rating))


def product_out(shop: Commerce, detail: ProductDetail, seller: SellerOut | None = None
                ) -> ProductOut:
    """``seller``: its seller's face when already read (a page of one seller's products)."""
    p = detail.product
    attributes: dict[str, list[str]] = {k: [v] for k, v in p.attributes.items()}
    attributes.update(p.option_values())
    available = detail.available
    return ProductOut(
        product_id=Id(p.id), name=p.name, description=p.description,
        price=money(p.min_price), currency=p.currency, images=list(p.images),
        attributes=attributes, tags=list(p.tags), category_id=Id(p.category_id),
        rating=None if p.rating is None else float(p.rating), reviews_count=p.review_count,
        seller=seller or seller_out(shop, p.seller_id), is_active=p.is_active,
        availability=AvailabilityOut(in_stock=available > 0, quantity=available),
        variants=variant_outs(detail))
