"""Orders: place (with an Idempotency-Key), look up, history, cancel, timeline."""

from __future__ import annotations

import falcon

from commerce_core.facade import Commerce
from commerce_http import cached, params
from commerce_http.media import ok
from commerce_http.middleware import actor
from commerce_http.render.orders import action_body, order_body, order_detail_body, placed_body


class Orders:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        """The seed's POST /orders: the cart becomes an order, paid when a token is given."""
        data = params.body(req)
        result = self._shop.checkout.place_order(
            actor(req), params.address(data, "shipping_address"),
            params.optional_address(data, "billing_address"),
            payment_token=params.optional_text(data, "payment_token", 255),
            payment_method=params.text(data, "payment_method", "card", limit=50),
            idempotency_key=req.get_header("Idempotency-Key"))
        ok(resp, {**placed_body(result), **action_body(result)}, falcon.HTTP_201)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        q = req.params
        page = self._shop.orders.history(
            actor(req), status=params.optional_text(q, "status", 20),
            from_date=params.moment(q, "from_date"), to_date=params.moment(q, "to_date"),
            page=params.page(q),
            limit=params.limit(q, 10))
        ok(resp, {"orders": [order_body(o) for o in page.items],
                  "pagination": {"page": page.page, "limit": page.limit,
                                 "total_count": page.total_count}})


class Order:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response, order_id: int) -> None:
        cached.respond(resp, cached.order_detail(self._shop, order_id, actor(req)))


class CancelOrder:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_put(self, req: falcon.Request, resp: falcon.Response, order_id: int) -> None:
        data = params.body(req)
        who = actor(req)
        self._shop.orders.cancel(order_id, who,
                                 params.text(data, "reason", "cancelled by customer", limit=500))
        ok(resp, order_detail_body(self._shop.orders.detail(order_id, who)))


class Timeline:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response, order_id: int) -> None:
        entries = self._shop.orders.timeline(order_id, actor(req))
        ok(resp, {"order_id": order_id, "timeline": [
            {"event": e.event, "timestamp": e.timestamp, "note": e.note} for e in entries]})
