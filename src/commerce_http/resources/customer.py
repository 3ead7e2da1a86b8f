"""The signed-in customer's own things: addresses, wishlist, recent activity, inbox."""

from __future__ import annotations

import falcon

from commerce_core.facade import Commerce
from commerce_http import params
from commerce_http.media import ok
from commerce_http.middleware import actor


class Addresses:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ok(resp, {"addresses": [a.as_dict() for a in self._shop.accounts.addresses(actor(req))]})

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = params.body(req)
        entry = self._shop.accounts.add_address(
            actor(req), params.address(data, "address"), params.text(data, "label", "", limit=100),
            default_shipping=bool(params.boolean(data, "default_shipping")),
            default_billing=bool(params.boolean(data, "default_billing")))
        ok(resp, entry.as_dict(), falcon.HTTP_201)


class Address:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_put(self, req: falcon.Request, resp: falcon.Response, address_id: int) -> None:
        data = params.body(req)
        entry = self._shop.accounts.update_address(
            actor(req), address_id, address=params.optional_address(data, "address"),
            label=params.optional_text(data, "label", 100),
            default_shipping=bool(params.boolean(data, "default_shipping")),
            default_billing=bool(params.boolean(data, "default_billing")))
        ok(resp, entry.as_dict())

    def on_delete(self, req: falcon.Request, resp: falcon.Response, address_id: int) -> None:
        self._shop.accounts.delete_address(actor(req), address_id)
        resp.status = falcon.HTTP_204


class Wishlist:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        q = req.params
        page = self._shop.wishlist.items(actor(req), params.page(q),
                                         params.limit(q))
        ok(resp, {"items": [e.as_dict() for e in page.items],
                  "total_count": page.total_count})

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        product_id = params.ident(params.body(req), "product_id")
        added = self._shop.wishlist.add(actor(req), product_id)
        ok(resp, {"product_id": product_id, "added": added},
           falcon.HTTP_201 if added else falcon.HTTP_200)


class WishlistItem:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_delete(self, req: falcon.Request, resp: falcon.Response, product_id: int) -> None:
        self._shop.wishlist.remove(actor(req), product_id)
        resp.status = falcon.HTTP_204


class MoveToCart:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response, product_id: int) -> None:
        data = params.body(req)
        view = self._shop.wishlist.move_to_cart(
            actor(req), product_id, params.integer(data, "quantity", 1, low=1, high=100),
            params.string_map(data, "selected_attributes"))
        ok(resp, view.as_dict())


class Activity:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ok(resp, self._shop.activity.recent(actor(req)).as_dict())


class Inbox:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        q = req.params
        page = self._shop.notifications.inbox(
            actor(req), bool(params.boolean(q, "unread_only")),
            params.page(q), params.limit(q))
        ok(resp, {"notifications": [m.as_dict() for m in page.items],
                  "total_count": page.total_count})


class InboxRead:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response, notification_id: int) -> None:
        ok(resp, self._shop.notifications.mark_read(actor(req), notification_id).as_dict())
