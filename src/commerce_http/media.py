"""JSON in and out: amounts as JSON numbers, datetimes as ISO 8601, enums as their values."""

from __future__ import annotations

import json
from typing import Any

import falcon

from commerce_http.encoding import dumps


def handlers() -> dict[str, falcon.media.BaseHandler]:
    json_handler = falcon.media.JSONHandler(dumps=dumps, loads=json.loads)
    return {falcon.MEDIA_JSON: json_handler, "application/json; charset=UTF-8": json_handler}


def ok(resp: falcon.Response, data: Any, status: str = falcon.HTTP_200) -> None:
    """The seed's success envelope."""
    resp.status = status
    resp.media = {"status": "success", "data": data}
