"""The admin area: users and roles, categories, the fraud queue, review moderation, figures."""

from __future__ import annotations

import falcon

from commerce_core.errors import ValidationError
from commerce_core.facade import Commerce
from commerce_http import params
from commerce_http.media import ok
from commerce_http.middleware import actor
from commerce_http.resources.seller import date_range


class Users:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        q = req.params
        page = self._shop.accounts.find_users(
            actor(req), email=params.optional_text(q, "email", 254),
            role=params.optional_text(q, "role", 16), is_active=params.boolean(q, "is_active"),
            page=params.page(q),
            limit=params.limit(q))
        ok(resp, {"users": [u.as_dict() for u in page.items], "total_count": page.total_count})

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = params.body(req)
        user = self._shop.accounts.create_user(
            actor(req), params.text(data, "email", limit=254),
            params.text(data, "password", limit=256), params.text(data, "name", "", limit=200),
            params.text(data, "role", "customer", limit=16),
            params.text(data, "phone", "", limit=40))
        ok(resp, user.as_dict(), falcon.HTTP_201)


class User:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response, user_id: int) -> None:
        ok(resp, self._shop.accounts.profile(actor(req), user_id).as_dict())

    def on_put(self, req: falcon.Request, resp: falcon.Response, user_id: int) -> None:
        data, who = params.body(req), actor(req)
        if set(data) - {"is_active", "role"} or not data:
            raise ValidationError("send is_active and/or role", {"body": "is_active, role"})
        user = None
        active = params.boolean(data, "is_active")
        if active is not None:
            user = self._shop.accounts.set_active(who, user_id, active)
        if data.get("role") is not None:
            user = self._shop.accounts.change_role(who, user_id,
                                                   params.text(data, "role", limit=16))
        ok(resp, user.as_dict() if user else None)


class Categories:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = params.body(req)
        parent = None if data.get("parent_id") is None else params.ident(data, "parent_id")
        category = self._shop.catalog.create_category(
            actor(req), params.text(data, "name", limit=100), parent,
            params.text(data, "description", "", limit=5000))
        ok(resp, category.as_dict(), falcon.HTTP_201)


class Category:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_put(self, req: falcon.Request, resp: falcon.Response, category_id: int) -> None:
        data, who = params.body(req), actor(req)
        category = None
        if data.get("name") is not None:
            category = self._shop.catalog.rename_category(who, category_id,
                                                          params.text(data, "name", limit=100))
        if "parent_id" in data:
            parent = None if data["parent_id"] is None else params.ident(data, "parent_id")
            category = self._shop.catalog.move_category(who, category_id, parent)
        if category is None:
            raise ValidationError("send name and/or parent_id", {"body": "name, parent_id"})
        ok(resp, category.as_dict())

    def on_delete(self, req: falcon.Request, resp: falcon.Response, category_id: int) -> None:
        self._shop.catalog.delete_category(actor(req), category_id)
        resp.status = falcon.HTTP_204


class FraudQueue:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        q = req.params
        page = self._shop.fraud.queue(actor(req), params.text(q, "status", "HELD", limit=16),
                                      params.page(q),
                                      params.limit(q))
        ok(resp, {"orders": [c.as_dict() for c in page.items], "total_count": page.total_count})


class FraudDecision:
    def __init__(self, shop: Commerce, approve: bool) -> None:
        self._shop = shop
        self._approve = approve

    def on_post(self, req: falcon.Request, resp: falcon.Response, order_id: int) -> None:
        note = params.text(params.body(req), "note", "", limit=1000)
        decide = self._shop.fraud.approve if self._approve else self._shop.fraud.reject
        ok(resp, decide(actor(req), order_id, note).as_dict())


class HideReview:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response, review_id: int) -> None:
        reason = params.text(params.body(req), "reason", limit=500)
        ok(resp, self._shop.reviews.hide(actor(req), review_id, reason).as_dict())


class Dashboard:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        start, end = date_range(req, self._shop.clock.now().date())
        ok(resp, self._shop.analytics.dashboard(actor(req), start, end).as_dict())
