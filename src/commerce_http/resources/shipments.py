"""Shipments as their buyer, seller or an admin sees them: details, tracking, cancelling."""

from __future__ import annotations

import falcon

from commerce_core.facade import Commerce
from commerce_http.media import ok
from commerce_http.middleware import actor


class Shipment:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response, shipment_id: int) -> None:
        ok(resp, self._shop.shipping.shipment(actor(req), shipment_id).as_dict())


class Track:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_get(self, req: falcon.Request, resp: falcon.Response, shipment_id: int) -> None:
        shipment = self._shop.shipping.shipment(actor(req), shipment_id).as_dict()
        ok(resp, {key: shipment[key] for key in ("shipment_id", "carrier", "tracking_number",
                                                 "status", "events")})


class CancelShipment:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response, shipment_id: int) -> None:
        ok(resp, self._shop.shipping.cancel_shipment(actor(req), shipment_id).as_dict())
