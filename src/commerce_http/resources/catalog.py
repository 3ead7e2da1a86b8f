"""Browsing: the product list with the seed's filters, product detail, the category tree."""

from __future__ import annotations

from typing import Any

import falcon

from commerce_core.facade import Commerce
from commerce_http import cached, params


class Products:
    """GET browses (POST, the seller's, is declared in commerce_http.api.seller)."""

    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        q = req.params
        query: dict[str, Any] = {
            "category_id": None if q.get("category") is None else params.ident(q, "category"),
            "search": params.optional_text(q, "search", 200),
            "min_price": params.decimal(q, "min_price"),
            "max_price": params.decimal(q, "max_price"),
            "rating_min": params.decimal(q, "rating"), "in_stock": params.boolean(q, "in_stock"),
            "seller_id": None if q.get("seller") is None else params.ident(q, "seller"),
            "sort": params.text(q, "sort", "newest", limit=20),
            "page": params.page(q), "limit": params.limit(q)}

        def load() -> dict[str, Any]:
            page = self._shop.catalog.list_products(**query)
            return {"products": [p.as_dict() for p in page.items],
                    "pagination": {"page": page.page, "limit": page.limit,
                                   "total_count": page.total_count,
                                   "total_pages": -(-page.total_count // page.limit)}}

        body = cached.listing(self._shop, query, load)
        if req.context.actor is not None and query["search"]:
            self._shop.activity.searched(req.context.actor, query["search"])
        cached.respond(resp, body)


class Product:
    """GET shows a product (PUT, the seller's, is declared in commerce_http.api.seller)."""

    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response, product_id: int) -> None:
        body = cached.product_detail(self._shop, product_id)
        if req.context.actor is not None:  # a signed-in view: its history, and trending
            self._shop.activity.viewed(req.context.actor, product_id)
            self._shop.rankings.viewed(product_id)
        cached.respond(resp, body)


class Categories:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        cached.respond(resp, cached.category_tree(self._shop))
