"""``GET /health``: 200 when every part answers, 503 when one does not."""

from __future__ import annotations

import falcon

from commerce_adapters.bootstrap import NO_REAL_MONEY
from commerce_core.facade import Commerce


class Health:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        checks = self._shop.health()
        healthy = all(v == "ok" for v in checks.values())
        resp.status = falcon.HTTP_200 if healthy else falcon.HTTP_503
        resp.media = {"status": "ok" if healthy else "unavailable", "checks": checks,
                      "real_money": self._shop.gateway.takes_real_money}
        if not self._shop.gateway.takes_real_money:
            resp.media["warning"] = NO_REAL_MONEY
