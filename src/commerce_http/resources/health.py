"""``GET /health``: 200 when the database answers, 503 when it does not."""

from __future__ import annotations

import falcon

from commerce_core.errors import CommerceError
from commerce_core.facade import Commerce


class Health:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        checks = {"database": "ok"}
        try:
            with self._shop.tx.read() as uow:
                uow.categories.all()
        except (CommerceError, OSError) as ex:
            checks["database"] = f"down: {type(ex).__name__}"
        healthy = all(v == "ok" for v in checks.values())
        resp.status = falcon.HTTP_200 if healthy else falcon.HTTP_503
        resp.media = {"status": "ok" if healthy else "unavailable", "checks": checks}
