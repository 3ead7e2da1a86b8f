"""The seller area: their products and prices, stock, orders, shipments, refunds, figures.

Everything acts for the signed-in seller; the core's policy refuses other sellers' records.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import falcon

from commerce_core.analytics.service import period
from commerce_core.catalog.service import VariantSpec
from commerce_core.errors import ValidationError
from commerce_core.facade import Commerce
from commerce_http import params
from commerce_http.media import ok
from commerce_http.middleware import actor
from commerce_http.render.orders import order_body


def _variants(data: dict[str, Any]) -> list[VariantSpec]:
    raw = data.get("variants")
    if raw is None and "price" in data:  # the seed's single-price product
        raw = [{"sku": data.get("sku"), "price": data["price"], "stock": data.get("stock", 0)}]
    if not isinstance(raw, list) or not raw or not all(isinstance(v, dict) for v in raw):
        raise ValidationError("variants must be a non-empty list of objects",
                              {"variants": "required"})
    return [_variant(v, f"variants.{i}.") for i, v in enumerate(raw)]


_VARIANT_FIELDS = ("sku", "price", "options", "weight_grams", "stock", "reorder_level")


def _variant(v: dict[str, Any], prefix: str = "") -> VariantSpec:
    params.known(v, _VARIANT_FIELDS, prefix)
    price = params.decimal(v, "price")
    if price is None:
        raise ValidationError("every variant needs a price", {"variants.price": "required"})
    return VariantSpec(params.text(v, "sku", limit=64), price, params.string_map(v, "options"),
                       params.integer(v, "weight_grams", 0, low=0, high=10**7),
                       params.integer(v, "stock", 0, low=0, high=10**9),
                       params.integer(v, "reorder_level", 0, low=0, high=10**9))


class SellerProducts:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = params.body(req)
        images, tags = data.get("images") or [], data.get("tags") or []
        if not isinstance(images, list) or not isinstance(tags, list):
            raise ValidationError("images and tags must be lists", {"images": "a list"})
        product = self._shop.catalog.create_product(
            actor(req), name=params.text(data, "name", limit=255),
            category_id=params.ident(data, "category_id"), variants=_variants(data),
            currency=params.text(data, "currency", "USD", limit=3),
            description=params.text(data, "description", "", limit=20_000),
            attributes=params.string_map(data, "attributes"),
            images=[str(i) for i in images], tags=[str(t) for t in tags])
        ok(resp, self._shop.catalog.product_detail(product.id, include_inactive=True).as_dict(),
           falcon.HTTP_201)


class SellerProductList:
    """GET /seller/products: my products, withdrawn ones included, with variants, stock and
    reorder levels."""

    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        q = req.params
        page = self._shop.catalog.seller_products(
            actor(req), page=params.page(q),
            limit=params.limit(q))
        ok(resp, {"products": [d.as_seller_dict() for d in page.items],
                  "total_count": page.total_count})


class OwnProduct:
    """GET /seller/products/{product_id}: one of mine, withdrawn or not."""

    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response, product_id: int) -> None:
        ok(resp, self._shop.catalog.seller_product(actor(req), product_id).as_seller_dict())


class ProductVariants:
    """POST /products/{product_id}/variants: one more variant, with its opening stock."""

    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response, product_id: int) -> None:
        self._shop.catalog.add_variant(actor(req), product_id, _variant(params.body(req)))
        detail = self._shop.catalog.product_detail(product_id, include_inactive=True)
        ok(resp, detail.as_dict(), falcon.HTTP_201)


class SellerProduct:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_put(self, req: falcon.Request, resp: falcon.Response, product_id: int) -> None:
        # the catalog refuses fields it does not let sellers change, naming them
        # body() has refused undeclared fields, so none can collide with an argument
        self._shop.catalog.update_product(actor(req), product_id, **params.body(req))
        detail = self._shop.catalog.product_detail(product_id, include_inactive=True)
        ok(resp, detail.as_dict())


class VariantPrice:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_put(self, req: falcon.Request, resp: falcon.Response, variant_id: int) -> None:
        price = params.decimal(params.body(req), "price")
        if price is None:
            raise ValidationError("price is required", {"price": "required"})
        variant = self._shop.catalog.set_price(actor(req), variant_id, price)
        ok(resp, variant.as_dict())


class SellerInventory:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        rows = self._shop.sellers.inventory(actor(req),
                                            low_only=bool(params.boolean(req.params, "low")))
        ok(resp, {"inventory": [r.as_dict() for r in rows]})


class Stock:
    """GET and PUT /inventory/{variant_id}: restock, adjust with a reason, reorder level."""

    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response, variant_id: int) -> None:
        ok(resp, self._shop.inventory.stock(actor(req), variant_id).as_dict())

    def on_put(self, req: falcon.Request, resp: falcon.Response, variant_id: int) -> None:
        data, who = params.body(req), actor(req)
        item = self._shop.inventory.stock(who, variant_id)
        if data.get("restock") is not None:
            item = self._shop.inventory.restock(
                who, variant_id, params.integer(data, "restock", low=1, high=10**9))
        if data.get("adjust") is not None:
            item = self._shop.inventory.adjust(
                who, variant_id, params.integer(data, "adjust", low=-(10**9), high=10**9),
                params.text(data, "reason", limit=255))
        if data.get("reorder_level") is not None:
            item = self._shop.inventory.set_reorder_level(
                who, variant_id, params.integer(data, "reorder_level", low=0, high=10**9))
        ok(resp, item.as_dict())


class SellerOrders:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        q = req.params
        page = self._shop.sellers.orders(actor(req), status=params.optional_text(q, "status", 20),
                                         page=params.page(q),
                                         limit=params.limit(q))
        ok(resp, {"orders": [order_body(o) for o in page.items],
                  "total_count": page.total_count})


class SellerRefunds:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response, order_id: int) -> None:
        data = params.body(req)
        items = params.idents(data, "order_item_ids")
        refund = self._shop.sellers.refund_items(
            actor(req), order_id, items, params.text(data, "reason", limit=500),
            restock=bool(params.boolean(data, "restock")),
            idempotency_key=req.get_header("Idempotency-Key"))
        ok(resp, refund.as_dict(), falcon.HTTP_201)


class SellerShipments:
    """POST /shipments: a seller ships their items of an order."""

    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = params.body(req)
        order_id = params.ident(data, "order_id")
        items = None if data.get("order_item_ids") is None else params.idents(
            data, "order_item_ids")
        shipment = self._shop.shipping.create_shipment(
            actor(req), order_id, items,
            service_level=params.text(data, "service_level", "standard", limit=20),
            carrier=params.optional_text(data, "carrier", 64))
        ok(resp, shipment.as_dict(), falcon.HTTP_201)


class SellerAnalytics:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        start, end = date_range(req, self._shop.clock.now().date())
        ok(resp, self._shop.analytics.seller_sales(actor(req), start, end).as_dict())


class SellerRefundList:
    """GET /seller/refunds: refunds of my items made from..to (the last 30 days by default)."""

    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        start, end = date_range(req, self._shop.clock.now().date())
        refunds = self._shop.analytics.seller_refunds(actor(req), start, end)
        ok(resp, {"refunds": [r.as_dict() for r in refunds]})


class SellerProfile:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = params.body(req)
        profile = self._shop.sellers.create_profile(
            actor(req), params.text(data, "store_name", limit=120),
            params.text(data, "description", "", limit=5000))
        ok(resp, profile.as_dict(), falcon.HTTP_201)

    def on_put(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = params.body(req)
        profile = self._shop.sellers.update_profile(
            actor(req), store_name=params.optional_text(data, "store_name", 120),
            description=params.optional_text(data, "description", 5000))
        ok(resp, profile.as_dict())


def date_range(req: falcon.Request, today: date) -> tuple[date, date]:
    """``from`` and ``to`` (YYYY-MM-DD, both included); the core's default period else."""
    start, end = params.moment(req.params, "from"), params.moment(req.params, "to")
    return period(start and start.date(), end and end.date(), today)
