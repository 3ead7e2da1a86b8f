"""The seed's rankings: trending products and top sellers (15 minutes fresh at most)."""

from __future__ import annotations

import falcon

from commerce_core.facade import Commerce
from commerce_http import params
from commerce_http.media import ok
from commerce_http.render.rankings import ranked_body as _body


class Trending:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ranked = self._shop.rankings.trending(params.limit(req.params, 10))
        ok(resp, {"products": _body("product_id", ranked),
                  "window_hours": self._shop.rankings.window.total_seconds() / 3600})


class TopSellers:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ranked = self._shop.rankings.top_sellers(params.limit(req.params, 10))
        ok(resp, {"sellers": _body("seller_id", ranked),
                  "window_hours": self._shop.rankings.window.total_seconds() / 3600})
