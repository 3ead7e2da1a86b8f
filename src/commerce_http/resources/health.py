"""``GET /health``: 200 "ok" when every part answers; 200 "degraded" when only parts a
request can do without (or answer 503 for alone) are down: the cache (bypassed), carts,
sessions; 503 "unavailable" when the database or the catalog is down."""

from __future__ import annotations

import falcon

from commerce_adapters.bootstrap import NO_REAL_MONEY
from commerce_core.facade import Commerce

ESSENTIAL = frozenset({"database", "catalog"})


class Health:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        checks = self._shop.health()
        down = {name for name, state in checks.items() if state != "ok"}
        status = ("unavailable" if down & ESSENTIAL else "degraded" if down else "ok")
        resp.status = falcon.HTTP_503 if status == "unavailable" else falcon.HTTP_200
        resp.media = {"status": status, "checks": checks,
                      "real_money": self._shop.gateway.takes_real_money}
        if not self._shop.gateway.takes_real_money:
            resp.media["warning"] = NO_REAL_MONEY
