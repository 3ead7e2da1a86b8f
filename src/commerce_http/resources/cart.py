"""The caller's cart: the seed's GET, POST/PUT/DELETE items and apply-coupon."""

from __future__ import annotations

import falcon

from commerce_core.cart.model import MAX_LINE_QUANTITY
from commerce_core.facade import Commerce
from commerce_http import params
from commerce_http.media import ok
from commerce_http.middleware import actor


class Cart:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ok(resp, self._shop.cart.get(actor(req)).as_dict())


class CartItems:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = params.body(req)
        view = self._shop.cart.add_item(
            actor(req), params.ident(data, "product_id"),
            params.integer(data, "quantity", 1, low=1, high=MAX_LINE_QUANTITY),
            params.string_map(data, "selected_attributes"))
        ok(resp, view.as_dict(), falcon.HTTP_201)


class CartItem:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_put(self, req: falcon.Request, resp: falcon.Response, item_id: int) -> None:
        data = params.body(req)
        view = self._shop.cart.update_item(
            actor(req), item_id,
            params.integer(data, "quantity", low=1, high=MAX_LINE_QUANTITY))
        ok(resp, view.as_dict())

    def on_delete(self, req: falcon.Request, resp: falcon.Response, item_id: int) -> None:
        self._shop.cart.remove_item(actor(req), item_id)
        resp.status = falcon.HTTP_204


class ApplyCoupon:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = params.body(req)
        ok(resp, self._shop.cart.apply_coupon(actor(req), params.text(data, "coupon_code",
                                                                    limit=64)).as_dict())
