"""``GET /api/v1/search`` (matches with facets) and ``GET /api/v1/search/suggest``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import falcon

from commerce_core.errors import ValidationError
from commerce_core.facade import Commerce
from commerce_core.search.ports import Facets
from commerce_core.search.service import SearchPage
from commerce_http import params
from commerce_http.media import ok

# attribute filters: ``attr.<key>=value``, and these keys by their own name (the seed's)
ATTRIBUTE_PREFIX = "attr."
NAMED_ATTRIBUTES = ("brand", "color", "size")


def attribute_filters(q: Mapping[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in q:
        key = name[len(ATTRIBUTE_PREFIX):] if name.startswith(ATTRIBUTE_PREFIX) else (
            name if name in NAMED_ATTRIBUTES else None)
        if key is None:
            continue
        if not key or len(key) > 100:
            raise ValidationError("an attribute filter needs a key", {name: "attr.KEY=value"})
        value = params.optional_text(q, name, 200)
        if value:
            found[key] = value
    return found


def facets_body(shop: Commerce, facets: Facets) -> dict[str, Any]:
    names = {c.id: c.name for c in shop.catalog.categories()}
    return {
        "categories": [{"category_id": cid, "name": names.get(cid), "count": n}
                       for cid, n in facets.categories.items()],
        "attributes": {key: [{"value": v, "count": n} for v, n in values.items()]
                       for key, values in facets.attributes.items()},
        "price_ranges": [{"min": b.low, "max": b.high, "count": b.count}
                         for b in facets.prices],
        "ratings": [{"min": stars, "count": n} for stars, n in facets.ratings.items()],
    }


def results_body(shop: Commerce, found: SearchPage) -> dict[str, Any]:
    summaries = {s.product_id: s for s in
                 shop.catalog.summaries([h.product_id for h in found.hits])}
    products = [{**summaries[h.product_id].as_dict(), "score": round(h.score, 6),
                 "highlights": dict(h.highlights)}
                for h in found.hits if h.product_id in summaries]
    return {"products": products,
            "facets": facets_body(shop, found.facets) if found.facets else None,
            "total": found.total,
            "total_is_exact": found.total_is_exact,
            "corrected": found.corrected,
            "pagination": {"page": found.page, "limit": found.limit,
                           "next_cursor": found.next_cursor}}


class Search:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        q = req.params
        found = self._shop.search.search(
            req.context.actor,
            text=params.optional_text(q, "q", 200) or "",
            category_id=None if q.get("category") is None else params.ident(q, "category"),
            min_price=params.decimal(q, "min_price"), max_price=params.decimal(q, "max_price"),
            rating_min=params.decimal(q, "rating"), in_stock=params.boolean(q, "in_stock"),
            seller_id=None if q.get("seller") is None else params.ident(q, "seller"),
            attributes=attribute_filters(q),
            sort=params.text(q, "sort", "relevance", limit=20),
            page=params.page(q), limit=params.limit(q),
            cursor=params.optional_text(q, "cursor", 200),
            facets=params.boolean(q, "facets") is not False)
        ok(resp, results_body(self._shop, found))


class Suggest:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        q = req.params
        prefix = params.text(q, "q", limit=100)
        found = self._shop.search.suggest(prefix, params.integer(q, "limit", 10, low=1, high=50))
        ok(resp, {"suggestions": [{"text": s.text, "kind": s.kind,
                                   **({"category_id": s.category_id}
                                      if s.category_id is not None else {})}
                                  for s in found]})
