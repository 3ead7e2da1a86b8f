"""JSON in and out: amounts as JSON numbers, datetimes as ISO 8601, enums as their values."""

from __future__ import annotations

import enum
import json
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

import falcon


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # money and ratings: the seed's numbers (999.99); every amount here has at most a
        # few decimals, which a JSON number carries exactly through its shortest repr
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot render {type(value).__name__} as JSON")


dumps = partial(json.dumps, default=_default, ensure_ascii=False, separators=(",", ":"))


def handlers() -> dict[str, falcon.media.BaseHandler]:
    json_handler = falcon.media.JSONHandler(dumps=dumps, loads=json.loads)
    return {falcon.MEDIA_JSON: json_handler, "application/json; charset=UTF-8": json_handler}


def ok(resp: falcon.Response, data: Any, status: str = falcon.HTTP_200) -> None:
    """The seed's success envelope."""
    resp.status = status
    resp.media = {"status": "success", "data": data}
