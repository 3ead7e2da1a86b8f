"""Sign-up, sign-in and out, the caller's own profile."""

from __future__ import annotations

import falcon

from commerce_core.facade import Commerce
from commerce_http import params
from commerce_http.media import ok
from commerce_http.middleware import actor


class Register:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = params.body(req)
        user = self._shop.accounts.register(
            params.text(data, "email", limit=254), params.text(data, "password", limit=256),
            params.text(data, "name", "", limit=200), params.text(data, "phone", "", limit=40),
            role=params.text(data, "role", "customer", limit=16),
            first_name=params.text(data, "first_name", "", limit=100),
            last_name=params.text(data, "last_name", "", limit=100))
        ok(resp, user.as_dict(), falcon.HTTP_201)


class Login:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = params.body(req)
        session = self._shop.accounts.login(params.text(data, "email", limit=254),
                                            params.text(data, "password", limit=256))
        now = self._shop.clock.now()
        ok(resp, {"access_token": session.token, "token_type": "Bearer",
                  "expires_in": int((session.expires_at - now).total_seconds()),
                  "user": session.user.as_dict()})


class Logout:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        actor(req)
        self._shop.accounts.logout(req.context.token)
        resp.status = falcon.HTTP_204


class Me:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ok(resp, self._shop.accounts.profile(actor(req)).as_dict())

    def on_put(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = params.body(req)
        user = self._shop.accounts.update_profile(
            actor(req), name=params.optional_text(data, "name", 200),
            phone=params.optional_text(data, "phone", 40),
            first_name=params.optional_text(data, "first_name", 100),
            last_name=params.optional_text(data, "last_name", 100))
        ok(resp, user.as_dict())
